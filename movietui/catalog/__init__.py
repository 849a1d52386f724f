"""Data in: MovieLens release readers, the GroupLens download, personal-rating imports."""
