# Day before month and a 24-hour clock, as veoui's pages have always shown them: "24 November 2026, 14:05".
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
