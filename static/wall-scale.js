// The wall's scale (components/screen.py): the server draws the charts at the screen's width / 1920, so it
// must know the width. Loaded into the page by static/wall-scale.html's hidden frame; it runs in the page's
// own realm (a sandboxed frame may not navigate the top window itself, and the CSP allows no eval) and
// reloads the wall with `scale` set when the URL's value does not match the screen (never on a 1920-wide
// screen without it).
(function () {
  var k = Math.round(window.innerWidth / 1920 * 100) / 100;
  var url = new URL(window.location.href);
  var given = parseFloat(url.searchParams.get("scale") || "1");
  if (k >= 0.5 && Math.abs(given - k) > 0.01) {
    url.searchParams.set("scale", k.toFixed(2));
    window.location.replace(url.toString());
  }
})();
