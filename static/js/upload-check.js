// Checks a chosen file's size on the phone, before a slow upload that the server would refuse
// anyway (it checks again). The message comes from the page (data-too-large), in the user's
// language; the too-large file is taken out of the form so nothing too big is sent, and its name
// goes with the form (<name>_dropped), so the page that says "recorded" also says the file was
// not attached.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.maxBytes) return;
  const max = Number(input.dataset.maxBytes);
  const message = document.getElementById(`${input.id}_size`);
  const tooLarge = Array.from(input.files || []).some((file) => file.size > max);
  if (message) {
    message.textContent = tooLarge ? input.dataset.tooLarge : "";
    message.hidden = !tooLarge;
  }
  input.setAttribute("aria-invalid", tooLarge ? "true" : "false");
  const form = input.form;
  if (form) {
    let dropped = form.querySelector(`input[type=hidden][name="${input.name}_dropped"]`);
    if (!dropped) {
      dropped = document.createElement("input");
      dropped.type = "hidden";
      dropped.name = `${input.name}_dropped`;
      form.appendChild(dropped);
    }
    dropped.value = tooLarge ? Array.from(input.files).map((file) => file.name).join(", ") : "";
  }
  if (tooLarge) input.value = "";
});
