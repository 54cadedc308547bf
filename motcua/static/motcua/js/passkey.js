// After django-otp-webauthn registers a passkey, reload the security page: it lists the new
// passkey and shows the backup codes issued with a first device.
document.addEventListener("otp_webauthn.register_complete", () => {
  const placeholder = document.querySelector("[data-done-url]");
  window.location.assign(placeholder ? placeholder.dataset.doneUrl : window.location.href);
});
