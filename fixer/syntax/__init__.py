"""The syntax layer: lexer, lossless parser, CST, printing, building new code, layout and the formatter."""
