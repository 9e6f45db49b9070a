"""The live exam monitor: a Tornado process that pushes quiz events to teachers' browsers."""
