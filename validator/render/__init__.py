"""Renderers: findings (data) → text, JSON, XLSX, HTML. They never compute a finding."""
