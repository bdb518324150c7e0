// The header's menu on a phone: one "Menu" button opens and closes the navigation and the
// account tools. Without JavaScript (or on a wide screen) everything is simply shown.
document.documentElement.classList.add("js");
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-menu-toggle]");
  if (!button) return;
  const header = button.closest(".site-header");
  const open = header.classList.toggle("menu-open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});
