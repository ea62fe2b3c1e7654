// The small map of an /ogc items or item page: the page's own features (CRS84), no base map.
(function () {
  const data = document.getElementById("ogc-features");
  const holder = document.getElementById("ogc-map");
  if (!data || !holder) return;
  const collection = JSON.parse(data.textContent);
  const map = L.map(holder, { attributionControl: false });
  const layer = L.geoJSON(collection, {
    style: { color: "#1565c0", weight: 1.5, fillOpacity: 0.08 },
    onEachFeature: (f, l) => l.bindTooltip(`${f.id} ${f.properties.name || ""}`),
  }).addTo(map);
  const bounds = layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
  else window.gisgrid.initialView(map); // an empty page: the published extent (base.html's data block)
  holder.dataset.features = String(collection.features.length);
})();
