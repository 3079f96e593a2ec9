package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
)

// floor sends a form body encoded once, unchecked: the least a client of
// the API can do per call, by one of two means.
type floor struct {
	endpoint string
	body     string
	creds    hmacauth.Credentials
	hc       *http.Client // floor
	conn     *tls.Conn    // floor-sync
	br       *bufio.Reader
	bw       *bufio.Writer
}

func newFloor(mode string, cfg core.Config, req core.Request) (*floor, error) {
	f := &floor{
		endpoint: cfg.Endpoint,
		body:     url.Values{"idcard": {req.IDCard}, "image": {req.ImageBase64}, "name": {req.Name}, "url": {""}}.Encode(),
		creds:    hmacauth.Credentials{SecretID: cfg.SecretID, SecretKey: string(cfg.SecretKey), Source: "market", Variant: hmacauth.XDate},
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	tc := &tls.Config{ServerName: u.Hostname()}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, err
		}
		tc.RootCAs = x509.NewCertPool()
		tc.RootCAs.AppendCertsFromPEM(pem)
	}
	switch mode {
	case "floor":
		// net/http's own transport, as most Go clients use it.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tc
		f.hc = &http.Client{Transport: tr}
		return f, nil
	case "floor-sync":
		addr := u.Host
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), "443")
		}
		tc.NextProtos = []string{"http/1.1"}
		if f.conn, err = tls.Dial("tcp", addr, tc); err != nil {
			return nil, err
		}
		f.br, f.bw = bufio.NewReader(f.conn), bufio.NewWriterSize(f.conn, 64<<10)
		return f, nil
	}
	return nil, fmt.Errorf("unknown -mode %q", mode)
}

func (f *floor) call() error {
	req, err := http.NewRequest(http.MethodPost, f.endpoint, strings.NewReader(f.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hmacauth.Sign(req.Header, f.creds, time.Now())
	var resp *http.Response
	if f.hc != nil {
		resp, err = f.hc.Do(req)
	} else {
		if err = req.Write(f.bw); err == nil {
			err = f.bw.Flush()
		}
		if err == nil {
			resp, err = http.ReadResponse(f.br, req)
		}
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if !bytes.Contains(raw, []byte(`"code":200`)) {
		return errors.New("not passed")
	}
	return nil
}

func (f *floor) close() {
	if f.conn != nil {
		f.conn.Close()
	}
}
