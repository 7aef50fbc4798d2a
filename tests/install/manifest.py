"""Installing from a build (cmake --install, cpack) rewrites its install_manifest.txt: the tests
put back the one a user's own install left."""
import contextlib
import pathlib


@contextlib.contextmanager
def kept_manifest(build):
    path = pathlib.Path(build) / "install_manifest.txt"
    before = path.read_bytes() if path.exists() else None
    try:
        yield
    finally:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(before)
