package html_test

import (
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// chromium finds the headless browser the HTML checks use (.ci/run installs it).
func chromium() string {
	GinkgoHelper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Fail("headless Chromium is needed to check the HTML page's layout: apt-get install -y chromium")
	return ""
}

// measureWidth lays page out in headless Chromium in a viewport px wide and returns the
// document's scroll width: more than px means the page scrolls sideways. Headless Chromium
// makes no window narrower than 500 px, so the page is shown in an iframe px wide (as
// srcdoc, which a script of the frame around it may read) and measured there. It also
// saves a screenshot.
func measureWidth(page string, px int) (int, string) {
	GinkgoHelper()
	dir := GinkgoT().TempDir()
	frame := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title><style>body{margin:0}iframe{border:0;display:block}</style></head><body>` +
		`<iframe id="f" style="width:` + strconv.Itoa(px) + `px;height:1900px" srcdoc="` + html.EscapeString(page) + `"></iframe>` +
		`<script>document.getElementById("f").addEventListener("load", function (e) { var d = e.target.contentDocument.documentElement; document.title = "scrollWidth=" + d.scrollWidth + " clientWidth=" + d.clientWidth; });</script></body></html>`
	path := filepath.Join(dir, "probe.html")
	Expect(os.WriteFile(path, []byte(frame), 0o644)).To(Succeed())
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--no-first-run", "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--window-size=" + strconv.Itoa(max(px, 500)) + ",2000", "--virtual-time-budget=3000"}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, chromium(), append(flags, "--dump-dom", "file://"+path)...).Output()
	Expect(err).NotTo(HaveOccurred(), "chromium --dump-dom")
	m := regexp.MustCompile(`<title>scrollWidth=(\d+) clientWidth=(\d+)</title>`).FindSubmatch(out)
	Expect(m).NotTo(BeNil(), "the probe did not run: %.300s", out)
	w, _ := strconv.Atoi(string(m[1]))
	cw, _ := strconv.Atoi(string(m[2]))
	Expect(cw).To(Equal(px), "the frame's viewport")
	shot := filepath.Join(dir, "page.png")
	Expect(exec.CommandContext(ctx, chromium(), append(flags, "--screenshot="+shot, "file://"+path)...).Run()).To(Succeed())
	Expect(shot).To(BeARegularFile())
	return w, shot
}

var _ = Describe("the HTML report on a phone", func() {
	It("fits a 390 px wide screen: charts scale down, wide tables scroll inside their own box (headless Chromium)", func() {
		w, shot := measureWidth(page(), 390)
		AddReportEntry("screenshot at 390 px", shot)
		Expect(w).To(BeNumerically("<=", 390), "the page is %d px wide at a 390 px viewport", w)
		wide, _ := measureWidth(page(), 1280)
		Expect(wide).To(BeNumerically("<=", 1280))
	})
})
