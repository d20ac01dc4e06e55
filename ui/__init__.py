"""The Qt layer of Creatify Studio (PySide6 + qasync)."""
