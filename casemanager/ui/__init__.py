"""The desktop UI (PySide6). The only package that imports Qt; it calls services only."""
