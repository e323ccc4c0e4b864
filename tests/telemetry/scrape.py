"""Reading a /metrics answer the way Prometheus does (prometheus_client's own parser), for assertions."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families


@dataclass
class Scrape:
    """Every sample of one scrape: (name, labels, value)."""

    rows: list[tuple[str, dict[str, str], float]]
    text: str

    def samples(self, name: str) -> list[tuple[dict[str, str], float]]:
        return [(labels, value) for sample, labels, value in self.rows if sample == name]

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples of `name` that carry these labels; AssertionError when there is none."""
        found = [value for labels_of, value in self.samples(name) if labels.items() <= labels_of.items()]
        assert found, f"no sample {name} {labels} in /metrics"
        return sum(found)

    def names(self) -> set[str]:
        return {name for name, _, _ in self.rows}


def parse(text: str) -> Scrape:
    rows = [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]
    return Scrape(rows, text)


def scrape(client: httpx.Client) -> Scrape:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)
