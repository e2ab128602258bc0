// Maps that show the place without a tile server. Every map draws the service area's outline
// and the coalition's zones with their names as its base layer, fits itself to what it shows
// (pins, else zones, else the service area) and adds the basemap when one is configured: the
// app's own PMTiles file (vector tiles drawn by protomaps-leaflet, or images) or a tile URL.
"use strict";

(function () {
  const vecinos = window.vecinos || (window.vecinos = {});
  const CLOSE_ZOOM = 15; // streets readable: where "use my location" and a single pin land
  const bases = {}; // one fetch of the base layer per page, whatever the number of maps

  function baseLayer(url) {
    if (!bases[url]) {
      bases[url] = fetch(url)
        .then((answer) => (answer.ok ? answer.json() : { features: [] }))
        .catch(() => ({ features: [] }));
    }
    return bases[url];
  }

  function boundsOf(text) {
    const [south, west, north, east] = text.split(",").map(Number);
    return window.L.latLngBounds([south, west], [north, east]);
  }

  function basemap(data) {
    const L = window.L;
    const options = { attribution: data.attribution, maxZoom: Number(data.maxZoom) || 19 };
    if (data.tileKind === "vector") {
      if (!window.protomapsL) return null;
      return window.protomapsL.leafletLayer({
        url: data.tileUrl,
        flavor: "light",
        lang: document.documentElement.lang,
        attribution: data.attribution,
        maxDataZoom: 15,
      });
    }
    return L.tileLayer(data.tileUrl, options);
  }

  // `element`: the map box (see macros/map.html). Options: `organization` fits to that
  // organization's zones instead of all of them.
  vecinos.makeMap = function (element, options) {
    const L = window.L;
    if (!L || !element) return null;
    const settings = options || {};
    const data = element.dataset;
    L.Icon.Default.imagePath = "/static/vendor/leaflet/images/";
    const map = L.map(element, { zoomControl: false, maxZoom: Number(data.maxZoom) || 19 });
    L.control.zoom({ zoomInTitle: data.msgZoomIn, zoomOutTitle: data.msgZoomOut }).addTo(map);
    const area = boundsOf(data.bounds);
    map.fitBounds(area);
    if (data.tileUrl) {
      const tiles = basemap(data);
      if (tiles) tiles.addTo(map);
    }
    const zones = L.featureGroup().addTo(map);
    const outline = L.featureGroup().addTo(map);
    // The box can change size after the map is made (a table filling above it, a rotated
    // phone): without this, clicks land where the old size put them, kilometres away.
    if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(element);

    function draw(collection) {
      zones.clearLayers();
      outline.clearLayers();
      collection.features.forEach((feature) => {
        const properties = feature.properties || {};
        if (properties.kind === "area") {
          L.geoJSON(feature, {
            interactive: false,
            style: { color: "#4a4a4a", weight: 2, dashArray: "6 6", fill: false },
          }).addTo(outline);
          return;
        }
        const own = !settings.organization || properties.organization_id === settings.organization;
        const shape = L.geoJSON(feature, {
          interactive: false,
          style: { color: own ? "#0b5394" : "#7a7a7a", weight: own ? 2 : 1, fillOpacity: own ? 0.08 : 0.03 },
        });
        // A text node: Leaflet takes a string tooltip as HTML (a zone's name is typed by people).
        shape.bindTooltip(document.createTextNode(properties.name), { permanent: true, direction: "center", className: "zone-label" });
        shape.feature = feature;
        shape.addTo(zones);
      });
    }

    function zoneBounds() {
      const bounds = L.latLngBounds([]);
      zones.eachLayer((layer) => {
        const properties = layer.feature.properties;
        if (!settings.organization || properties.organization_id === settings.organization) {
          bounds.extend(layer.getBounds());
        }
      });
      return bounds.isValid() ? bounds : null;
    }

    const view = {
      map: map,
      // Fit to these points; with none, to the zones; with no zones, to the service area.
      fit(points) {
        const shown = (points || []).filter((p) => p && Number.isFinite(p[0]) && Number.isFinite(p[1]));
        if (shown.length === 1) map.setView(shown[0], CLOSE_ZOOM, { animate: false });
        else if (shown.length) map.fitBounds(L.latLngBounds(shown), { padding: [24, 24], maxZoom: CLOSE_ZOOM, animate: false });
        else map.fitBounds(zoneBounds() || area, { padding: [32, 32], animate: false });
        element.dataset.fitted = "true";
      },
      // A chosen spot ("use my location", a picked place): centre on it, close enough to read.
      show(lat, lon) {
        map.setView([lat, lon], Math.max(map.getZoom(), CLOSE_ZOOM), { animate: false });
        element.dataset.fitted = "true";
      },
      reload() {
        delete bases[data.base];
        return baseLayer(data.base).then(draw);
      },
    };
    view.ready = baseLayer(data.base).then((collection) => {
      draw(collection);
      return view;
    });
    return view;
  };
})();
