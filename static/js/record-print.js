// The record's print page: a button for the browser's own Print dialog, where "Save as
// PDF" is one of the printers. Without JavaScript the page says to use the browser's Print.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
