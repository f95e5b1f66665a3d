// kopsehat report form: optional. Inside Telegram (a Mini App), pass Telegram's signed initData with each save so
// the server can check who is filling in; the form works the same without this script.
(function () {
  var data = "";
  var hash = window.location.hash.slice(1);
  if (hash) {
    var found = new URLSearchParams(hash).get("tgWebAppData");
    if (found) { data = found; try { sessionStorage.setItem("kopsehat-tg", data); } catch (e) {} }
  }
  if (!data) { try { data = sessionStorage.getItem("kopsehat-tg") || ""; } catch (e) {} }
  if (!data) { return; }
  document.addEventListener("DOMContentLoaded", function () {
    var fields = document.querySelectorAll("input.tg");
    for (var i = 0; i < fields.length; i++) { fields[i].value = data; }
  });
})();
