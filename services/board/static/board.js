// sitrep's situation board. Plain browser JavaScript, no build step, no library.
// Report text is data: every string from the API goes into the page with textContent or
// setAttribute, never as HTML. The page's Content-Security-Policy forbids inline script and eval.
"use strict";

(() => {
  const KEY_STORAGE = "sitrep.apiKey";
  const FILTERS = ["country", "actor", "kind", "from", "to"];
  const SVG_NS = "http://www.w3.org/2000/svg";
  const WIDTH = 1000;
  const HEIGHT = 500;
  const FEED_MAX = 200;
  const POLL_MILLISECONDS = 15000;
  const PAGES_MAX = 20; // GET /v1/places gives at most 1,000 places a page: the board shows up to 20,000
  const CHANGED_MAX = 20; // more places named by alerts in one burst than this: the whole list is asked for
  const RECONNECT_MILLISECONDS = 2000;

  const state = {
    places: [],
    outlines: null,
    outlinesTried: false,
    alerts: [],
    seen: new Set(),
    lastEventId: null,
    source: null,
    reconnectTimer: null,
    refreshTimer: null,
    pollTimer: null,
    placesTag: null, // the list's ETag and the query it answered: an unchanged list costs a 304
    placesQuery: null,
    changed: new Set(), // places named by alerts since the last refresh
    shownPlace: null, // the place whose history the panel shows
    generation: 0,
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    return node;
  }

  // ---- key -------------------------------------------------------------------------------------

  class NeedKey extends Error {}

  function apiKey() {
    return sessionStorage.getItem(KEY_STORAGE);
  }

  function askForKey(message) {
    $("key-message").textContent = message;
    $("key-form").hidden = false;
    setStatus("key needed", "key");
    $("key-input").focus();
  }

  async function api(path, etag) {
    const headers = { Accept: "application/json" };
    const key = apiKey();
    if (key) headers.Authorization = "Bearer " + key;
    if (etag) headers["If-None-Match"] = etag;
    // With our own If-None-Match the browser's cache stays out of it, and a 304 reaches this code.
    const response = await fetch(path, { headers, cache: etag ? "no-store" : "no-cache" });
    if (response.status === 401 || response.status === 403) {
      const problem = await response.json().catch(() => ({}));
      const detail = problem.detail || "this API needs a key";
      askForKey(key ? "The key was refused: " + detail : "This API needs a key with the read scope: " + detail);
      throw new NeedKey(detail);
    }
    return response;
  }

  async function apiJson(path) {
    const response = await api(path);
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail || response.status + " " + response.statusText);
    }
    return response.json();
  }

  // ---- filters, kept in the URL ----------------------------------------------------------------

  function filtersFromUrl() {
    const params = new URLSearchParams(window.location.search);
    const filters = {};
    for (const name of FILTERS) filters[name] = params.get(name) || "";
    filters.selected = params.get("place") || "";
    return filters;
  }

  function formToUrl(selected) {
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = $("f-" + name).value.trim();
      if (value) params.set(name, value);
    }
    if (selected) params.set("place", selected);
    const query = params.toString();
    return window.location.pathname + (query ? "?" + query : "");
  }

  function fillForm(filters) {
    const kinds = $("f-kind");
    if (filters.kind && ![...kinds.options].some((option) => option.value === filters.kind)) {
      kinds.append(el("option", { value: filters.kind }, filters.kind.replace("_", " "))); // any event kind the API takes
    }
    for (const name of FILTERS) $("f-" + name).value = filters[name];
  }

  function apiQuery(filters) {
    const params = new URLSearchParams();
    for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]);
    return params.toString();
  }

  // The API path of one place's history, or null for an id that is not a place's. The id is encoded as a whole
  // (its '/' too: the route takes it back), and no segment may be '.' or '..', so an id from the page's URL or
  // an alert can never make the browser send the key to another path of this origin.
  function placePath(placeId) {
    const id = String(placeId || "");
    if (!id || id.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) return null;
    return "/v1/places/" + encodeURIComponent(id);
  }

  function reportPath(reportId) {
    const id = String(reportId || "");
    if (!id || id === "." || id === "..") return null;
    return "/v1/reports/" + encodeURIComponent(id); // built here: an id is the sender's text
  }

  window.sitrepBoard = { placePath, reportPath }; // for the browser test, which checks them directly

  // ---- status and errors -----------------------------------------------------------------------

  function setStatus(text, stateName) {
    const status = $("status");
    status.textContent = text;
    status.dataset.state = stateName;
  }

  function showError(message) {
    const error = $("error");
    error.textContent = message || "";
    error.hidden = !message;
  }

  // ---- colours ---------------------------------------------------------------------------------

  const PALETTE = ["#d1495b", "#00798c", "#edae49", "#66a182", "#8d6cab", "#e07a5f", "#3d5a80", "#9c6644"];
  const colours = new Map();

  function colourOf(controller) {
    if (!controller) return "#8a8f98";
    if (!colours.has(controller)) {
      let hash = 0;
      for (const char of controller) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
      const used = new Set(colours.values());
      let colour = PALETTE[hash % PALETTE.length];
      for (let i = 0; used.has(colour) && i < PALETTE.length; i += 1) colour = PALETTE[(hash + i) % PALETTE.length];
      if (used.has(colour)) colour = "hsl(" + (hash % 360) + ", 55%, 45%)";
      colours.set(controller, colour);
    }
    return colours.get(controller);
  }

  // ---- map -------------------------------------------------------------------------------------

  function extentOf(points) {
    if (!points.length) return { west: -180, east: 180, south: -60, north: 80 };
    let west = Infinity;
    let east = -Infinity;
    let south = Infinity;
    let north = -Infinity;
    for (const place of points) {
      west = Math.min(west, place.lon);
      east = Math.max(east, place.lon);
      south = Math.min(south, place.lat);
      north = Math.max(north, place.lat);
    }
    const pad = Math.max(2, 0.3 * Math.max(east - west, north - south));
    return {
      west: Math.max(-180, west - pad),
      east: Math.min(180, east + pad),
      south: Math.max(-85, south - pad),
      north: Math.min(85, north + pad),
    };
  }

  // Equirectangular, x shrunk by the cosine of the middle latitude so shapes keep their look near the places.
  function projection(extent) {
    const middle = ((extent.north + extent.south) / 2) * (Math.PI / 180);
    const stretch = Math.cos(middle);
    const spanX = (extent.east - extent.west) * stretch;
    const spanY = extent.north - extent.south;
    const scale = Math.min(WIDTH / spanX, HEIGHT / spanY);
    const centreLon = (extent.east + extent.west) / 2;
    const centreLat = (extent.north + extent.south) / 2;
    return (lon, lat) => [
      WIDTH / 2 + (lon - centreLon) * stretch * scale,
      HEIGHT / 2 - (lat - centreLat) * scale,
    ];
  }

  function ringPath(ring, project) {
    let path = "";
    for (let i = 0; i < ring.length; i += 1) {
      const [x, y] = project(ring[i][0], ring[i][1]);
      path += (i ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
    }
    return path + "Z";
  }

  function touches(polygon, extent) {
    for (const [lon, lat] of polygon[0]) {
      if (lon >= extent.west - 20 && lon <= extent.east + 20 && lat >= extent.south - 20 && lat <= extent.north + 20) {
        return true;
      }
    }
    return false;
  }

  function drawMap() {
    const map = $("map");
    map.replaceChildren();
    const located = state.places.filter((place) => place.lat !== null && place.lon !== null);
    const extent = extentOf(located);
    const project = projection(extent);
    map.append(svg("rect", { x: 0, y: 0, width: WIDTH, height: HEIGHT, class: "sea" }));
    const land = svg("g", { class: "outlines" });
    if (state.outlines) {
      for (const feature of state.outlines.features) {
        const polygons = feature.geometry.coordinates.filter((polygon) => touches(polygon, extent));
        if (!polygons.length) continue;
        const path = svg("path", {
          d: polygons.map((polygon) => polygon.map((ring) => ringPath(ring, project)).join("")).join(""),
          class: "country",
        });
        const title = svg("title");
        title.textContent = feature.properties.name || "";
        path.append(title);
        land.append(path);
      }
    }
    map.append(land);
    const points = svg("g", { class: "points" });
    const selected = filtersFromUrl().selected;
    // Places drawn at one spot (a quarter on its town's point) are set around it, so each dot and label shows.
    const spots = new Map();
    const byOwnPoint = located.slice().sort((a, b) => (a.located === "parent") - (b.located === "parent"));
    for (const place of byOwnPoint) {
      const [x, first] = project(place.lon, place.lat);
      let y = first;
      const spot = Math.round(x / 8) + "," + Math.round(y / 8);
      const taken = spots.get(spot) || 0;
      spots.set(spot, taken + 1);
      y += taken * 18; // one line further down per place already there
      const group = svg("g", { class: "place", "data-place": place.place_id, tabindex: 0 });
      const dot = svg("circle", {
        cx: x.toFixed(1),
        cy: y.toFixed(1),
        r: place.located === "parent" ? 5 : 7,
        fill: colourOf(place.controller),
        class:
          "dot" +
          (place.located === "parent" ? " approximate" : "") +
          (place.contested ? " contested" : "") +
          (place.place_id === selected ? " selected" : ""),
      });
      const title = svg("title");
      title.textContent =
        place.name + (place.controller_name ? " · " + place.controller_name : "") + (place.contested ? " (contested)" : "");
      const label = svg("text", { x: (x + 9).toFixed(1), y: (y + 4).toFixed(1), class: "label" });
      label.textContent = place.name;
      group.append(dot, title, label);
      group.addEventListener("click", () => select(place.place_id));
      group.addEventListener("keydown", (event) => {
        if (event.key === "Enter") select(place.place_id);
      });
      points.append(group);
    }
    map.append(points);
    const unlocated = state.places.length - located.length;
    const notes = [];
    if (!state.outlines && state.outlinesTried) notes.push("No country outlines on this server: places only.");
    if (unlocated) notes.push(unlocated + " place(s) without coordinates are in the table only.");
    $("map-note").textContent = notes.join(" ");
    drawLegend();
  }

  function drawLegend() {
    const legend = $("legend");
    legend.replaceChildren();
    const named = new Map();
    for (const place of state.places) named.set(place.controller || "", place.controller_name || "no holder known");
    for (const [controller, name] of named) {
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = colourOf(controller);
      legend.append(el("li", {}, swatch, name));
    }
  }

  async function loadOutlines() {
    try {
      const response = await api("/v1/map/outlines");
      if (response.ok) state.outlines = await response.json();
    } catch (error) {
      if (error instanceof NeedKey) throw error;
      // No outlines: the map draws its points alone.
    }
    state.outlinesTried = true;
  }

  // ---- table -----------------------------------------------------------------------------------

  function day(value) {
    return value ? String(value).slice(0, 10) : "";
  }

  function countText(count) {
    const low = count.min === null || count.min === undefined ? "?" : count.min.toLocaleString("en");
    let value = low;
    if (count.kind === "flow" && count.totals && count.totals.all !== undefined) {
      value = count.totals.all.toLocaleString("en") + " in all";
    } else if (count.max !== null && count.max !== undefined && count.max !== count.min) {
      value = low + "–" + count.max.toLocaleString("en");
    } else if (count.max === null && count.min !== null) {
      value = low + "+";
    }
    return count.category + " " + value;
  }

  function drawTable() {
    const body = $("places").tBodies[0];
    body.replaceChildren();
    const selected = filtersFromUrl().selected;
    for (const place of state.places) {
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = colourOf(place.controller);
      const counts = el("ul", { class: "counts" });
      for (const count of place.counts) counts.append(el("li", {}, countText(count)));
      const row = el(
        "tr",
        { "data-place": place.place_id, tabindex: 0, class: place.place_id === selected ? "selected" : null },
        el("td", {}, el("span", { class: "name" }, place.name), el("span", { class: "id" }, place.place_id)),
        el("td", {}, place.country || ""),
        el("td", { class: "controller" }, swatch, place.controller_name || "—"),
        el("td", {}, day(place.since)),
        el("td", { class: "contested" }, place.contested ? "contested" : "—"),
        el("td", {}, counts),
        el("td", { class: "sources" }, place.sources.join(", ")),
      );
      row.addEventListener("click", () => select(place.place_id));
      row.addEventListener("keydown", (event) => {
        if (event.key === "Enter") select(place.place_id);
      });
      body.append(row);
    }
    $("places-count").textContent = "(" + state.places.length + ")";
    $("places-empty").hidden = state.places.length > 0;
  }

  function nextPage(link) {
    const found = /<([^>]+)>\s*;\s*rel="next"/.exec(link || "");
    return found && found[1].startsWith("/v1/places?") ? found[1] : null;
  }

  // Every page of a list; null when the first answers 304 (nothing changed since `etag`).
  async function fetchPlaces(query, etag) {
    let path = "/v1/places" + (query ? "?" + query : "");
    const rows = [];
    let tag = null;
    for (let page = 0; path && page < PAGES_MAX; page += 1) {
      const response = await api(path, page === 0 ? etag : null);
      if (response.status === 304) return null;
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        throw new Error(problem.detail || response.status + " " + response.statusText);
      }
      if (page === 0) tag = response.headers.get("ETag");
      rows.push(...(await response.json()));
      path = nextPage(response.headers.get("Link"));
    }
    return { rows, tag, more: Boolean(path) };
  }

  function redrawPlaces(more) {
    drawTable();
    drawMap();
    if (more) $("map-note").textContent += " Only the first " + state.places.length + " places are shown.";
  }

  async function refreshPlaces() {
    const filters = filtersFromUrl();
    const query = apiQuery(filters);
    state.changed.clear();
    let answer;
    try {
      answer = await fetchPlaces(query, query === state.placesQuery ? state.placesTag : null);
      showError("");
    } catch (error) {
      if (!(error instanceof NeedKey)) showError("Places: " + error.message);
      return;
    }
    if (answer === null) {
      // Unchanged: nothing to draw or read again, unless another place was chosen (Back, a shared link).
      if (filters.selected && filters.selected !== state.shownPlace) await showPlace(filters.selected);
      return;
    }
    state.places = answer.rows;
    state.placesTag = answer.tag;
    state.placesQuery = query;
    redrawPlaces(answer.more);
    if (filters.selected) await showPlace(filters.selected);
  }

  // After alerts: only the places they name (and those inside them) are asked for and replaced in the list.
  async function refreshChanged() {
    const changed = [...state.changed];
    state.changed.clear();
    if (!changed.length) return;
    if (changed.length > CHANGED_MAX || changed.some((id) => placePath(id) === null)) return refreshPlaces();
    const filters = filtersFromUrl();
    const params = new URLSearchParams(apiQuery(filters));
    for (const id of changed) params.append("place", id);
    let answer;
    try {
      answer = await fetchPlaces(params.toString(), null);
    } catch (error) {
      if (!(error instanceof NeedKey)) showError("Places: " + error.message);
      return;
    }
    const inside = (id) => changed.some((place) => id === place || id.startsWith(place + "/"));
    const places = state.places.filter((place) => !inside(place.place_id)).concat(answer.rows);
    places.sort((a, b) => (a.place_id < b.place_id ? -1 : a.place_id > b.place_id ? 1 : 0));
    state.places = places; // the list's ETag is kept: the next poll finds the new version and asks for all
    redrawPlaces(false);
    if (filters.selected && inside(filters.selected)) await showPlace(filters.selected);
  }

  function scheduleRefresh(placeId) {
    if (placeId) state.changed.add(String(placeId));
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(refreshChanged, 50);
  }

  // ---- one place's history ---------------------------------------------------------------------

  function safeLink(url) {
    try {
      const parsed = new URL(url, window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function entryHeadline(entry) {
    if (entry.kind === "civilian_count") {
      const range = entry.count_max !== null && entry.count_max !== entry.count_min ? "–" + entry.count_max : "";
      return (entry.category || "civilians") + ": " + (entry.count_min === null ? "?" : entry.count_min) + range;
    }
    const holder = entry.controller_name || "unknown";
    const previous = entry.previous_name ? ", taken from " + entry.previous_name : "";
    const roles = { control: "held by ", earlier_control: "earlier held by ", dissent: "disputed: held by ", count: "" };
    return roles[entry.role] + holder + previous;
  }

  function entryPasses(entry, filters) {
    if (filters.kind && entry.kind !== filters.kind) return false;
    if (filters.from && (!entry.date || entry.date < filters.from)) return false;
    if (filters.to && (!entry.date || entry.date > filters.to)) return false;
    return true;
  }

  async function showPlace(placeId) {
    const panel = $("detail-panel");
    const path = placePath(placeId);
    if (path === null) {
      showError("Not a place id: " + placeId);
      return;
    }
    let history;
    try {
      history = await apiJson(path);
    } catch (error) {
      if (!(error instanceof NeedKey)) showError("Place " + placeId + ": " + error.message);
      return;
    }
    if (placeId !== state.shownPlace) $("report-view").hidden = true;
    const filters = filtersFromUrl();
    const place = history.place;
    $("detail-title").textContent = place.name + " (" + place.place_id + ")";
    $("detail-summary").textContent =
      (place.controller_name ? "Held by " + place.controller_name + (place.since ? " since " + day(place.since) : "") : "No holder known") +
      (place.contested ? ", contested" : "") +
      (place.counts.length ? ". Civilians: " + place.counts.map(countText).join("; ") : "") +
      ".";
    const list = $("history");
    list.replaceChildren();
    for (const entry of history.entries.filter((item) => entryPasses(item, filters))) {
      const reports = el("ul", { class: "reports" });
      for (const report of entry.reports) {
        const item = el("li", {}, report.source + " · " + day(report.published_at) + " · ");
        // A button, not a link: a keyed API wants the key, which only this page's requests carry.
        const show = el("button", { type: "button", class: "report-link", "data-report": report.report_id }, "report " + report.report_id);
        show.addEventListener("click", () => showReport(report.report_id));
        item.append(show);
        const original = report.url ? safeLink(report.url) : null;
        if (original) {
          item.append(" · ", el("a", { href: original, rel: "noopener noreferrer", target: "_blank" }, report.title || "original"));
        }
        reports.append(item);
      }
      list.append(
        el(
          "li",
          { class: "entry " + entry.role, "data-event": entry.event_id },
          el("span", { class: "date" }, entry.date || "undated"),
          el("span", { class: "kind" }, entry.kind),
          el("span", { class: "headline" }, entryHeadline(entry) + (entry.stance !== "asserted" ? " (" + entry.stance + ")" : "")),
          el("blockquote", { class: "sentence" }, entry.sentence),
          el("span", { class: "sources" }, "Sources: " + entry.sources.join(", ") + " (" + entry.mention_count + " mention(s))"),
          reports,
        ),
      );
    }
    panel.hidden = false;
    state.shownPlace = placeId;
    for (const row of $("places").tBodies[0].rows) row.classList.toggle("selected", row.dataset.place === placeId);
  }

  // A report as the API keeps it, fetched with the key and shown as text (JSON, indented) in the place's panel.
  async function showReport(reportId) {
    const view = $("report-view");
    const path = reportPath(reportId);
    if (path === null) return;
    $("report-title").textContent = "Report " + reportId;
    $("report-body").textContent = "loading…";
    view.hidden = false;
    try {
      $("report-body").textContent = JSON.stringify(await apiJson(path), null, 2);
    } catch (error) {
      $("report-body").textContent = error instanceof NeedKey ? "" : "Could not read the report: " + error.message;
    }
  }

  function select(placeId) {
    window.history.pushState(null, "", formToUrl(placeId));
    for (const row of $("places").tBodies[0].rows) row.classList.toggle("selected", row.dataset.place === placeId);
    showPlace(placeId);
  }

  // ---- alert feed over SSE ---------------------------------------------------------------------

  const ALERT_KINDS = {
    control_change: ["control_changed", "control_baseline"],
    control_state: ["control_changed", "control_baseline"],
    civilian_count: ["civilian_threshold", "civilian_change"],
  };

  function alertPasses(alert, filters) {
    const data = alert.data || {};
    const place = data.place || {};
    if (filters.country && String(place.country || "").toLowerCase() !== filters.country.toLowerCase()) return false;
    if (filters.kind) {
      const kind = String(alert.type || "").replace("sitrep.alert.", "");
      if (!(ALERT_KINDS[filters.kind] || []).includes(kind)) return false;
    }
    if (filters.actor) {
      const wanted = filters.actor.toLowerCase();
      const named = [];
      for (const side of [data.before, data.after]) {
        if (side) named.push(String(side.controller || "").toLowerCase(), String(side.controller_name || "").toLowerCase());
      }
      if (!named.includes(wanted)) return false;
    }
    const date = day(alert.time);
    if (filters.from && date < filters.from) return false;
    if (filters.to && date > filters.to) return false;
    return true;
  }

  function alertItem(alert, streamId) {
    const data = alert.data || {};
    const kind = String(alert.type || "").replace("sitrep.alert.", "");
    const item = el(
      "li",
      { class: "alert " + kind, "data-stream-id": streamId, "data-place": alert.subject, tabindex: 0 },
      el("span", { class: "time" }, String(alert.time || "").replace("T", " ").slice(0, 16)),
      el("span", { class: "kind" }, kind.replace("_", " ")),
      el("span", { class: "summary" }, data.summary || ""),
      el("span", { class: "sources" }, (data.sources || []).join(", ")),
    );
    item.addEventListener("click", () => select(alert.subject));
    return item;
  }

  function drawFeed() {
    const filters = filtersFromUrl();
    const feed = $("feed");
    feed.replaceChildren();
    const shown = state.alerts.filter((entry) => alertPasses(entry.alert, filters));
    for (const entry of shown.slice().reverse()) feed.append(alertItem(entry.alert, entry.id));
    $("feed-count").textContent = "(" + shown.length + ")";
  }

  function addAlert(alert, streamId) {
    if (state.seen.has(streamId)) return false;
    state.seen.add(streamId);
    state.alerts.push({ alert, id: streamId });
    if (state.alerts.length > FEED_MAX) state.seen.delete(state.alerts.shift().id);
    state.lastEventId = streamId;
    return true;
  }

  async function loadFeed() {
    const alerts = await apiJson("/v1/alerts?limit=50");
    for (const alert of alerts) addAlert(alert, alert.stream_id);
    drawFeed();
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    if (state.source) state.source.close();
    const params = new URLSearchParams({ since: state.lastEventId || "0" });
    const key = apiKey();
    if (key) params.set("access_token", key);
    const source = new EventSource("/v1/alerts/stream?" + params.toString());
    state.source = source;
    source.addEventListener("open", () => setStatus("live", "live"));
    source.addEventListener("message", (event) => {
      let alert;
      try {
        alert = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (addAlert(alert, event.lastEventId)) {
        drawFeed();
        scheduleRefresh(alert.subject);
      }
    });
    source.addEventListener("gap", () => {
      const note = $("feed-note");
      note.textContent = "Some alerts were trimmed from the log while this page was away.";
      note.hidden = false;
    });
    source.addEventListener("error", () => {
      if (source !== state.source) return;
      setStatus("reconnecting", "reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (an HTTP error answer): unless the key is what was refused (then the page asks
        // for one), start again after the last alert seen.
        state.reconnectTimer = setTimeout(async () => {
          try {
            await api("/v1/alerts?limit=1");
          } catch (error) {
            if (error instanceof NeedKey) return;
          }
          if (source === state.source) connect();
        }, RECONNECT_MILLISECONDS);
      }
      // Otherwise the browser reconnects by itself and sends Last-Event-ID.
    });
  }

  // ---- start -----------------------------------------------------------------------------------

  async function start() {
    state.generation += 1;
    showError("");
    fillForm(filtersFromUrl());
    try {
      await loadOutlines();
      await loadFeed();
    } catch (error) {
      if (!(error instanceof NeedKey)) showError(error.message);
      if (error instanceof NeedKey) return;
    }
    $("key-forget").hidden = !apiKey();
    connect();
    await refreshPlaces();
    clearInterval(state.pollTimer);
    state.pollTimer = setInterval(refreshPlaces, POLL_MILLISECONDS);
  }

  function onFilters(event) {
    event.preventDefault();
    window.history.pushState(null, "", formToUrl(filtersFromUrl().selected));
    drawFeed();
    refreshPlaces();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("filters").addEventListener("submit", onFilters);
    $("filters").addEventListener("change", onFilters);
    $("f-clear").addEventListener("click", (event) => {
      for (const name of FILTERS) $("f-" + name).value = "";
      onFilters(event);
    });
    window.addEventListener("popstate", () => {
      fillForm(filtersFromUrl());
      drawFeed();
      refreshPlaces();
    });
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY_STORAGE, $("key-input").value.trim());
      $("key-input").value = "";
      $("key-form").hidden = true;
      start();
    });
    $("report-close").addEventListener("click", () => {
      $("report-view").hidden = true;
    });
    $("key-forget").addEventListener("click", () => {
      sessionStorage.removeItem(KEY_STORAGE);
      if (state.source) state.source.close();
      window.location.reload();
    });
    start();
  });
})();
