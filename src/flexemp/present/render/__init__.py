"""Renderers of the table model: Markdown, HTML, DOCX, XLSX and LaTeX (one per module)."""
