"""veoui's adjustments to Django's date and number formats, one module per language (FORMAT_MODULE_PATH).

Anything not set here comes from Django's own formats for that language.
"""
