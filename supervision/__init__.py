"""稀土整顿监管平台: the domain package (models, import, checks, queries, exports, command line)."""
