from tests.tracking._store import store_root, tracking  # noqa: F401
