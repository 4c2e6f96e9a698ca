// Small progressive enhancements for every page. Everything works without this file.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) { /* very old browser: the server falls back to UTC */ }

  // Visitors (not signed in) see times in the zone their browser reports.
  if (zone && document.cookie.indexOf("tz=") === -1) {
    // Zone names use only cookie-safe characters (letters, "/", "_", "+", "-").
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A timezone select still on its default suggests the browser's zone.
    document.querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
      if (!zone || (select.value && select.value !== "UTC")) return;
      var option = select.querySelector('option[value="' + zone.replace(/"/g, "") + '"]');
      if (option) select.value = zone;
    });

    // Close the account menu on Escape or a click elsewhere.
    document.querySelectorAll("details.account-menu").forEach(function (menu) {
      document.addEventListener("click", function (event) {
        if (menu.open && !menu.contains(event.target)) menu.open = false;
      });
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });

    // A form submits once: a double click does not post twice.
    document.querySelectorAll("form[method=post], form[method=POST]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitting) { event.preventDefault(); return; }
        form.dataset.submitting = "1";
        window.setTimeout(function () { delete form.dataset.submitting; }, 4000);
      });
    });
  });
})();
