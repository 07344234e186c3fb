// The leaflet picker: filter languages as you type, keep the preview, the
// download link and the print button in step with the choices.
const form = document.getElementById("choose");
const search = document.getElementById("language-search");
const localeSelect = document.getElementById("locale");
const preview = document.getElementById("preview");
const download = document.getElementById("download");
const status = document.getElementById("status");
const printer = document.getElementById("printer");
// The page's translated status messages: data, not script (the CSP allows no inline script).
const messages = JSON.parse(document.getElementById("messages").textContent);

function choice() {
  const data = new FormData(form);
  const leaflet = data.get("leaflet");
  const locale = data.get("locale");
  if (!leaflet || !locale) return null;
  const query = new URLSearchParams({ paper: data.get("paper") });
  if (data.get("large_print")) query.set("large_print", "true");
  if (data.get("clinic")) query.set("clinic", data.get("clinic"));
  const base = `/leaflets/${encodeURIComponent(leaflet)}/${encodeURIComponent(locale)}`;
  return { pdf: `${base}.pdf?${query}`, png: `${base}/preview.png?${query}`, name: `${leaflet}-${locale}.pdf` };
}

function update() {
  const c = choice();
  if (!c) return;
  status.textContent = messages.preparing;
  download.href = c.pdf;
  download.setAttribute("download", c.name);
  preview.src = c.png;
}

preview.addEventListener("load", () => { status.textContent = messages.ready; });
preview.addEventListener("error", () => { if (preview.getAttribute("src")) status.textContent = messages.failed; });

const leafletSelect = document.getElementById("leaflet");

// Only the languages the chosen leaflet may be printed in, matching the search;
// each marked as a draft where it is one for that leaflet.
function filterLocales() {
  const needle = search.value.trim().toLowerCase();
  const leaflet = leafletSelect.value;
  let first = null;
  for (const option of localeSelect.options) {
    const offered = option.dataset.leaflets.split(" ").includes(leaflet);
    const match = offered && (!needle || option.dataset.search.includes(needle));
    option.hidden = !match;
    option.disabled = !offered;
    const draft = option.dataset.drafts.split(" ").includes(leaflet);
    option.textContent = option.dataset.name + (draft ? ` — ${messages.draft}` : "");
    if (match && !first) first = option;
  }
  if (first && localeSelect.selectedOptions[0]?.hidden !== false) { first.selected = true; update(); }
}

search.addEventListener("input", filterLocales);
leafletSelect.addEventListener("change", filterLocales);
search.addEventListener("keydown", (event) => {
  if (event.key === "ArrowDown" || event.key === "Enter") { event.preventDefault(); localeSelect.focus(); }
});

form.addEventListener("change", update);
form.addEventListener("submit", (event) => { event.preventDefault(); update(); });

document.getElementById("print").addEventListener("click", () => {
  const c = choice();
  if (!c) return;
  printer.onload = () => { try { printer.contentWindow.print(); } catch (e) { window.open(c.pdf); } };
  printer.src = c.pdf;
});

if (!localeSelect.value && localeSelect.options.length) localeSelect.options[0].selected = true;
filterLocales();
update();
