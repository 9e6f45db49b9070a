"""The toolkit plugins build their downloads with; it knows no particular document.

* :mod:`.files` — the :class:`~.files.Download` a builder returns, content types, download
  file names, the ``Content-Disposition`` header (ASCII ``filename`` plus RFC 5987
  ``filename*``) and the Pyramid response;
* :mod:`.spreadsheets` — CSV (streamed in chunks) and XLSX (xlsxwriter, in memory) writers
  that neutralise spreadsheet formulas, native XLSX charts;
* :mod:`.pdf` — reportlab with the DejaVu fonts (names are not all Latin), tables, charts;
* :mod:`.charts` — the score-distribution chart, drawn the same way in every document that
  shows one (XLSX and PDF).

Each document lives in the one plugin that serves it (the results, attempt and students
downloads in ``exports``, the analytics report in ``analytics``); what they share is here.
"""
