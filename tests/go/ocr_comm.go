// A Go client of `wxocr serve` that decodes answers into the types Go's WeChat SDKs declare
// for ocr/comm (silenceper/wechat and medivhzhan/weapp: every corner and img_size an int64),
// with the standard library only, as those SDKs do. Run by tests/test_server_typed_clients.py:
//
//	go run ocr_comm.go BASE_URL APPID SECRET IMAGE_PATH IMAGE_URL   (prints the answers as JSON)
//	go run ocr_comm.go -decode < answer.json                        (decodes one answer)
//
// A float corner (185.0, 160.96875) fails the decoding, as in those SDKs: the program exits 1
// with Go's own message.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
)

type point struct {
	X int64 `json:"x"`
	Y int64 `json:"y"`
}

type position struct {
	LeftTop     point `json:"left_top"`
	RightTop    point `json:"right_top"`
	RightBottom point `json:"right_bottom"`
	LeftBottom  point `json:"left_bottom"`
}

type item struct {
	Text string   `json:"text"`
	Pos  position `json:"pos"`
}

type size struct {
	W int64 `json:"w"`
	H int64 `json:"h"`
}

type answer struct {
	Errcode int64  `json:"errcode"`
	Errmsg  string `json:"errmsg"`
	Items   []item `json:"items"`
	ImgSize size   `json:"img_size"`
}

func decode(body []byte) answer {
	var out answer
	if err := json.Unmarshal(body, &out); err != nil {
		fail(err)
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func read(response *http.Response, err error) []byte {
	if err != nil {
		fail(err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		fail(err)
	}
	return body
}

func token(base, appid, secret string) string {
	query := url.Values{"grant_type": {"client_credential"}, "appid": {appid}, "secret": {secret}}
	var got struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(read(http.Get(base+"/cgi-bin/token?"+query.Encode())), &got); err != nil {
		fail(err)
	}
	return got.AccessToken
}

// upload sends the image as the multipart part `img`, as WeChat documents it.
func upload(endpoint, image string) []byte {
	data, err := os.ReadFile(image)
	if err != nil {
		fail(err)
	}
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	part, err := form.CreateFormFile("img", filepath.Base(image))
	if err != nil {
		fail(err)
	}
	part.Write(data)
	form.Close()
	return read(http.Post(endpoint, form.FormDataContentType(), &body))
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-decode" {
		body, err := io.ReadAll(os.Stdin)
		if err != nil {
			fail(err)
		}
		json.NewEncoder(os.Stdout).Encode(decode(body))
		return
	}
	base, appid, secret, image, imageURL := os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]
	endpoint := base + "/cv/ocr/comm?access_token=" + url.QueryEscape(token(base, appid, secret))
	out := map[string]answer{
		"upload":   decode(upload(endpoint, image)),
		"url_post": decode(read(http.Post(endpoint+"&img_url="+url.QueryEscape(imageURL), "", nil))),
		"url_get":  decode(read(http.Get(endpoint + "&img_url=" + url.QueryEscape(imageURL)))),
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
