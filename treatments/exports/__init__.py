"""Treatment summaries taken out of the app (issue 8): a plan's or a patient's summary as a
PDF, batches of summaries built by a Celery task into one zip file, and the sessions as CSV.

- ``models``: ExportJob, a batch and its progress; the rows are the export log.
- ``selectors``: what a summary shows, which plans a batch holds, the CSV's sessions.
- ``documents``: the PDF (WeasyPrint, ``templates/treatments/pdf/summary.html``).
- ``services``: asking for a batch, building it (the task calls this), expiring old files.
- ``forms``, ``views``: the pages; their URLs are in ``treatments/urls.py``.

Every export writes an EXPORT entry in the audit log for each patient it covers.
"""
