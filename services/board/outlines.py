"""Country outlines for the board's map: Natural Earth's 110m countries, as the npm package `world-atlas` ships them.

No PyPI package that is maintained ships that file in its wheel, so the first API start on a machine takes it
from the npm registry with the machine's `npm` (as the gazetteer is built from GeoNames packages at first start),
turns its TopoJSON into plain GeoJSON polygons and keeps the result in `SITREP_CACHE_DIR`. Without `npm`, or
offline, there are no outlines and the board draws its points alone.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
import threading
from pathlib import Path
from typing import Any

import orjson

from core.cache_dir import cache_dir

log = logging.getLogger(__name__)

PACKAGE = "world-atlas"
PACKAGE_RANGE = "2"
"""`world-atlas@2`: Natural Earth 110m countries in `countries-110m.json`; 2.x keeps that file's shape."""
MEMBER = "package/countries-110m.json"
FILE_NAME = f"outlines-{PACKAGE}-{PACKAGE_RANGE}.geojson"
FETCH_TIMEOUT_MILLISECONDS = 4000
"""npm's wait for one request (the package's metadata, then its tarball), with no retry."""
FETCH_LIMIT_SECONDS = 10.0
"""The whole `npm pack` is killed after this: offline or behind a silent firewall, no outlines within 10 s."""
DECIMALS = 2
"""Rounding of degrees: about a kilometre, finer than the 110m data itself."""


def outlines_path() -> Path:
    return cache_dir() / FILE_NAME


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute [lon, lat] points of every arc: quantized arcs are deltas from the previous point."""
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        points: list[tuple[float, float]] = []
        x = y = 0.0
        for position in arc:
            if transform is None:
                points.append((float(position[0]), float(position[1])))
                continue
            x += position[0]
            y += position[1]
            scale, translate = transform["scale"], transform["translate"]
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """A closed ring from arc indexes; a negative index `~i` is arc i walked backwards."""
    ring: list[list[float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        for number, (lon, lat) in enumerate(points):
            if number == 0 and ring:
                continue  # each arc starts where the previous one ended
            ring.append([round(lon, DECIMALS), round(lat, DECIMALS)])
    return ring


def to_geojson(topology: dict[str, Any], object_name: str = "countries") -> dict[str, Any]:
    """The named GeometryCollection of a TopoJSON topology as a GeoJSON FeatureCollection of (Multi)Polygons."""
    arcs = _decode_arcs(topology)
    features: list[dict[str, Any]] = []
    for geometry in topology["objects"][object_name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue  # a null geometry (a country too small for 110m) has nothing to draw
        coordinates = [[_ring(ring, arcs) for ring in polygon] for polygon in polygons]
        properties = geometry.get("properties") or {}
        features.append(
            {
                "type": "Feature",
                "id": str(geometry.get("id", "")),
                "properties": {"name": str(properties.get("name", ""))},
                "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _run_bounded(command: list[str], workdir: Path) -> None:
    """Run `command`, killing its whole process group at `FETCH_LIMIT_SECONDS`: `subprocess.run` kills the
    child alone, then waits for the output pipes, which a grandchild can hold (once 40 s against a silent registry)."""
    with subprocess.Popen(
        command, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    ) as process:
        try:
            _, stderr = process.communicate(timeout=FETCH_LIMIT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command, stderr=stderr)


def _fetch_topology(npm: str, workdir: Path) -> tuple[dict[str, Any], str]:
    """`npm pack` downloads the package's tarball (nothing is installed or run); its countries file and version."""
    _run_bounded(
        [
            npm,
            "pack",
            f"{PACKAGE}@{PACKAGE_RANGE}",
            "--silent",
            "--ignore-scripts",
            "--fetch-retries=0",
            f"--fetch-timeout={FETCH_TIMEOUT_MILLISECONDS}",  # per request; npm's own default is 5 minutes
            "--pack-destination",
            str(workdir),
        ],
        workdir,
    )
    tarball = next(workdir.glob(f"{PACKAGE}-*.tgz"))
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(MEMBER)  # read in memory: no path from the archive touches the disk
        manifest = archive.extractfile("package/package.json")
        if member is None or manifest is None:
            raise ValueError(f"{tarball.name} has no {MEMBER}")
        topology = orjson.loads(member.read())
        version = str(orjson.loads(manifest.read()).get("version", "?"))
    return topology, version


_failed: set[Path] = set()
"""Targets this process could not make: not tried again by each app the process starts (the tests start many)."""


_building: dict[Path, threading.Lock] = {}
"""One `npm pack` at a time per target in a process: apps started together wait for the first one's answer."""


def build_outlines(target: Path | None = None) -> Path | None:
    """The cached outlines file, made now if missing; None when it cannot be made here (no npm, offline, a cache
    folder that cannot be written). Never raises; takes at most about `FETCH_LIMIT_SECONDS`. `target`: the file,
    when the caller fixed it before the environment might change (default `outlines_path()`)."""
    target = target or outlines_path()
    with _building.setdefault(target, threading.Lock()):
        if target.exists():
            return target
        if target in _failed:
            return None
        made = _make(target)
        if made is None:
            _failed.add(target)
        return made


def _make(target: Path) -> Path | None:
    """Never raises: a cache folder that cannot be written (read-only, a file in its place) or a failed fetch
    leaves the map without outlines, and the API that asked for them starts and stops as usual."""
    npm = shutil.which("npm")
    if npm is None:
        log.info("no npm on PATH: the board's map draws places without country outlines")
        return None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, ignore_cleanup_errors=True) as work:
            topology, version = _fetch_topology(npm, Path(work))
            collection = to_geojson(topology)
            collection["source"] = f"Natural Earth 1:110m countries (public domain), from npm {PACKAGE}@{version}"
            partial = Path(work) / FILE_NAME
            partial.write_bytes(orjson.dumps(collection))
            os.replace(partial, target)  # atomic: another process building at once never reads half a file
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, StopIteration, tarfile.TarError) as error:
        log.warning("no map outlines (%s@%s into %s): %s", PACKAGE, PACKAGE_RANGE, target.parent, error)
        return None
    log.info("map outlines from %s@%s cached in %s", PACKAGE, version, target)
    return target
