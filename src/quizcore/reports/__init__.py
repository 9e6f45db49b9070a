"""Documents built from quizcore's data: CSV and XLSX spreadsheets, PDF reports.

* :mod:`.files` — the :class:`~.files.Download` a builder returns, content types, the
  ``Content-Disposition`` header (ASCII ``filename`` plus RFC 5987 ``filename*``) and the
  Pyramid response;
* :mod:`.spreadsheets` — CSV (streamed in chunks) and XLSX (xlsxwriter, in memory) writers
  that neutralise spreadsheet formulas, native XLSX charts;
* :mod:`.pdf` — reportlab with the DejaVu fonts (names are not all Latin), tables, charts;
* :mod:`.students`, :mod:`.results`, :mod:`.attempt_pdf`, :mod:`.analytics_report` — the
  documents themselves: each loads its data with a fixed number of queries and renders it.

The exports and analytics plugins serve these documents; the builders live in the core so
both plugins produce the same files without importing each other.
"""
