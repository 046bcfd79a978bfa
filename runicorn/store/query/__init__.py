"""Choosing and ordering runs: the query grammar and its evaluation, fields, sort order, columns, grouping."""
