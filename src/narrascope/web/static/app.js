// narrascope: the only script. Clicking a narrative highlights its evidence sentences in the article text; the
// technique filter keeps one technique's spans marked.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".label-button[data-target]")) {
    button.addEventListener("click", () => {
      const id = button.dataset.target;
      const pressed = button.getAttribute("aria-pressed") === "true";
      for (const other of document.querySelectorAll(".label-button[aria-pressed='true']")) {
        other.setAttribute("aria-pressed", "false");
      }
      for (const span of document.querySelectorAll(".evidence.shown")) span.classList.remove("shown");
      if (pressed) return;
      button.setAttribute("aria-pressed", "true");
      const spans = document.querySelectorAll(`.evidence[data-ev~="${CSS.escape(id)}"]`);
      for (const span of spans) span.classList.add("shown");
      if (spans.length) spans[0].scrollIntoView({ behavior: "smooth", block: "center" });
    });
  }
  // The technique filter: only the chosen technique's spans stay underlined.
  const filter = document.getElementById("technique-filter");
  if (filter) {
    filter.addEventListener("change", () => {
      for (const span of document.querySelectorAll(".evidence.technique")) {
        const ids = span.dataset.ev.split(" ");
        span.classList.toggle("filtered-out", filter.value !== "" && !ids.includes(filter.value));
      }
    });
  }
});
