// A Java client of `wxocr serve` that decodes answers with Gson into the types WxJava declares
// for ocr/comm (WxOcrCommResult: every corner and img_size an int). Run by
// tests/test_server_typed_clients.py with Debian's Gson on the class path:
//
//   java -cp /usr/share/java/gson.jar OcrComm.java BASE_URL APPID SECRET IMAGE_PATH IMAGE_URL
//   java -cp /usr/share/java/gson.jar OcrComm.java -decode < answer.json
//
// A fractional corner (160.96875) fails the decoding, as in WxJava: the program exits 1 with
// Gson's own message.
import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.annotations.SerializedName;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class OcrComm {
    static class Point { int x; int y; }

    static class Pos {
        @SerializedName("left_top") Point leftTop;
        @SerializedName("right_top") Point rightTop;
        @SerializedName("right_bottom") Point rightBottom;
        @SerializedName("left_bottom") Point leftBottom;
    }

    static class Item { String text; Pos pos; }

    static class Size { int w; int h; }

    static class Answer {
        int errcode;
        String errmsg;
        List<Item> items;
        @SerializedName("img_size") Size imgSize;
    }

    static class Token { @SerializedName("access_token") String accessToken; }

    static final Gson GSON = new Gson();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    static String send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static Answer decode(String body) {
        try {
            return GSON.fromJson(body, Answer.class);
        } catch (JsonParseException error) {
            System.err.println(error.getMessage());
            System.exit(1);
            return null;
        }
    }

    /** The image as the multipart part `img`, as WeChat documents it. */
    static HttpRequest upload(String endpoint, Path image) throws Exception {
        String boundary = "wxocr-java-client-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"img\"; filename=\""
                + image.getFileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(image));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create(endpoint))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("-decode")) {
            OUT.println(GSON.toJson(decode(new String(System.in.readAllBytes(), StandardCharsets.UTF_8))));
            return;
        }
        String base = args[0];
        String tokenUrl = base + "/cgi-bin/token?grant_type=client_credential&appid=" + encode(args[1])
                + "&secret=" + encode(args[2]);
        Token token = GSON.fromJson(send(HttpRequest.newBuilder(URI.create(tokenUrl)).build()), Token.class);
        String endpoint = base + "/cv/ocr/comm?access_token=" + encode(token.accessToken);
        String byUrl = endpoint + "&img_url=" + encode(args[4]);
        Map<String, Answer> out = new LinkedHashMap<>();
        out.put("upload", decode(send(upload(endpoint, Path.of(args[3])))));
        out.put("url_post", decode(send(HttpRequest.newBuilder(URI.create(byUrl))
                .POST(HttpRequest.BodyPublishers.noBody()).build())));
        out.put("url_get", decode(send(HttpRequest.newBuilder(URI.create(byUrl)).build())));
        OUT.println(GSON.toJson(out));
    }
}
