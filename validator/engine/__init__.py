"""Rules as data: parse, compile against a template, evaluate vectorised over all reports at once."""
