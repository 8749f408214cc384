"""The finding lifecycle (问题闭环): findings recorded, assigned, rectified, verified and closed.

Layer: above entry (it may use the forms' readers), below reporting (reports count its states).
"""
