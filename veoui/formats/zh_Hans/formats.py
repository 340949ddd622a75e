# Credits read best grouped by thousands with a comma, as in Chinese business software: "12,500".
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
