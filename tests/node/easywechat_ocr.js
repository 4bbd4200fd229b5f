// node-easywechat (a third-party WeChat SDK for Node.js) against `wxocr serve`, pointed at it
// by its own base-URL setting (`http.baseURL`), as a user would. Run by
// tests/test_server_sdks.py:
//
//   node easywechat_ocr.js BASE_URL APPID SECRET IMAGE_PATH IMAGE_URL CACHE_DIR
//
// Prints one JSON object: every call's parsed answer, by name.
'use strict';
const { MiniApp } = require('node-easywechat');

function app(base, appId, secret, cacheDir, stable) {
  return new MiniApp({
    app_id: appId,
    secret: secret,
    use_stable_access_token: stable,
    http: { baseURL: base + '/' },
    file_cache: { path: cacheDir },
  });
}

async function main() {
  const [base, appId, secret, image, imageUrl, cacheDir] = process.argv.slice(2);
  const out = {};
  for (const stable of [false, true]) {
    const client = app(base, appId, secret, cacheDir, stable).getClient();
    const kind = stable ? 'stable' : 'plain';
    // WeChat's documented upload: multipart part `img`, the token in the query.
    out[`${kind}_upload`] = (await client.withFile(image, 'img').post('cv/ocr/comm')).toObject();
    // img_url in the query, as POST and as the API doc's GET.
    out[`${kind}_url_post`] = (await client.post('cv/ocr/comm', { params: { img_url: imageUrl } })).toObject();
    out[`${kind}_url_get`] = (await client.get('cv/ocr/comm', { params: { img_url: imageUrl } })).toObject();
  }
  const client = app(base, appId, secret, cacheDir, true).getClient();
  out.not_an_image = (await client.withFile(__filename, 'img').post('cv/ocr/comm')).toObject();
  out.unknown_api = (await client.post('cv/ocr/idcard', { params: { img_url: imageUrl } })).toObject();
  out.wrong_method = (await client.get('cgi-bin/stable_token')).toObject();
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
