"""The situation board: the static page the API serves at `/`, and the country outlines its map draws."""
