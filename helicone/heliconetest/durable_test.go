package heliconetest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/helicone/heliconetest"
	"github.com/heval-dev/heval/internal/dirlock"
)

// childEnv makes the test binary run an emulator on the data directory it names, print
// its URL and wait to be killed.
const childEnv = "HELICONETEST_CHILD_DATA_DIR"

func runChild() {
	srv, err := heliconetest.StartServer("127.0.0.1:0", heliconetest.WithSeed(fixture()), heliconetest.WithDataDir(os.Getenv(childEnv)))
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	fmt.Println(srv.URL)
	select {}
}

func reopen(dir string) *heliconetest.Handler {
	h, err := heliconetest.NewHandler(heliconetest.WithSeed(fixture()), heliconetest.WithDataDir(dir))
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(h.Close)
	return h
}

var _ = Describe("the durable store", func() {
	It("keeps every acknowledged score across Close and reopen", func() {
		dir := GinkgoT().TempDir()
		srv, _ := newServer(heliconetest.WithDataDir(dir))
		score(srv, keyA, reqA1, `{"scores":{"accuracy":90,"ok":true}}`)
		score(srv, keyA, reqA1, `{"scores":{"accuracy":91}}`)
		score(srv, keyB, reqB1, `{"scores":{"b":7}}`)
		score(srv, keyA, "c0c0c0c0-0000-4000-8000-000000000000", `{"scores":{"lost":1}}`)
		srv.Close()

		h := reopen(dir)
		Expect(h.Scores(reqA1)).To(Equal(map[string]int64{"accuracy": 91, "ok-hcone-bool": 1}))
		Expect(h.Scores(reqB1)).To(Equal(map[string]int64{"b": 7}))
		Expect(h.Scores(reqA2)).To(Equal(map[string]int64{"accuracy": 80, "is_factual-hcone-bool": 1}))
		Expect(h.AllScores()).To(HaveLen(3))
	})

	It("tolerates a torn last record and keeps appending after it", func() {
		dir := GinkgoT().TempDir()
		srv, _ := newServer(heliconetest.WithDataDir(dir))
		score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
		srv.Close()

		path := filepath.Join(dir, heliconetest.ScoreLogName)
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		Expect(err).NotTo(HaveOccurred())
		_, err = f.WriteString(`{"o":"` + orgA + `","r":"` + reqA1 + `","s":{"a":99,"torn`)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Close()).To(Succeed())

		srv2 := heliconetest.NewServer(heliconetest.WithSeed(fixture()), heliconetest.WithDataDir(dir))
		Expect(srv2.Scores(reqA1)).To(Equal(map[string]int64{"a": 1}))
		score(srv2, keyA, reqA1, `{"scores":{"b":2}}`)
		srv2.Close()

		b, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		Expect(lines).To(HaveLen(2))
		for _, l := range lines {
			Expect(json.Valid([]byte(l))).To(BeTrue(), "line %q", l)
		}
		Expect(reopen(dir).Scores(reqA1)).To(Equal(map[string]int64{"a": 1, "b": 2}))
	})

	It("skips an unreadable complete record", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, heliconetest.ScoreLogName), []byte("garbage\n{\"o\":\""+orgA+"\",\"r\":\""+reqA1+"\",\"s\":{\"a\":3}}\n"), 0o600)).To(Succeed())
		Expect(reopen(dir).Scores(reqA1)).To(Equal(map[string]int64{"a": 3}))
	})

	It("keeps acknowledged scores after kill -9 and a restart", func() {
		dir := GinkgoT().TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHeliconetest$")
		cmd.Env = append(os.Environ(), childEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		Expect(err).NotTo(HaveOccurred())
		Expect(cmd.Start()).To(Succeed())
		DeferCleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		line, err := bufio.NewReader(out).ReadString('\n')
		Expect(err).NotTo(HaveOccurred())
		url := strings.TrimSpace(line)
		Expect(url).To(HavePrefix("http://127.0.0.1:"))

		for i := range 20 {
			a := send("POST", url+"/v1/request/"+reqA1+"/score", keyA, fmt.Sprintf(`{"scores":{"k%d":%d}}`, i, i))
			Expect(a.Status).To(Equal(201))
		}
		Expect(cmd.Process.Kill()).To(Succeed()) // SIGKILL
		_ = cmd.Wait()

		got := reopen(dir).Scores(reqA1)
		Expect(got).To(HaveLen(20))
		for i := range 20 {
			Expect(got).To(HaveKeyWithValue(fmt.Sprintf("k%d", i), int64(i)))
		}
	})

	It("forgets written scores on Reset", func() {
		dir := GinkgoT().TempDir()
		srv, _ := newServer(heliconetest.WithDataDir(dir))
		score(srv, keyA, reqA1, `{"scores":{"a":1}}`)
		Expect(srv.Reset()).To(Succeed())
		Expect(srv.Scores(reqA1)).To(BeEmpty())
		Expect(srv.Scores(reqA2)).To(HaveKeyWithValue("accuracy", int64(80)))
		srv.Close()
		Expect(reopen(dir).Scores(reqA1)).To(BeEmpty())
	})
})

var _ = Describe("the data directory", func() {
	It("is held by one emulator at a time", func() {
		dir := GinkgoT().TempDir()
		first, err := heliconetest.NewHandler(heliconetest.WithDataDir(dir))
		Expect(err).NotTo(HaveOccurred())
		_, err = heliconetest.NewHandler(heliconetest.WithDataDir(dir))
		Expect(err).To(MatchError(dirlock.ErrLocked))
		Expect(err.Error()).To(ContainSubstring("the data directory " + dir))
		Expect(first.Close()).To(Succeed())
		again, err := heliconetest.NewHandler(heliconetest.WithDataDir(dir))
		Expect(err).NotTo(HaveOccurred())
		Expect(again.Close()).To(Succeed())
	})
})

var _ = Describe("seed validation", func() {
	DescribeTable("refuses a bad tier and absurd durations, saying what is accepted",
		func(seed, want string) {
			_, err := heliconetest.ParseSeed([]byte(seed))
			if err == nil {
				s, _ := heliconetest.ParseSeed([]byte(seed))
				_, err = heliconetest.NewHandler(heliconetest.WithSeed(s))
			}
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("a tier", `{"organizations":[{"id":"o1","tier":"platinum"}]}`, "not one of free, pro, enterprise, none"),
		Entry("a huge phrase", `{"organizations":[{"id":"o1","requests":[{"id":"11111111-1111-4111-8111-111111111111","created_ago":"1000000 days ago"}]}]}`, "out of range"),
		Entry("a negative duration", `{"organizations":[{"id":"o1","requests":[{"id":"11111111-1111-4111-8111-111111111111","created_ago":"-36h"}]}]}`, "out of range"),
		Entry("huge seconds", `{"organizations":[{"id":"o1","requests":[{"id":"11111111-1111-4111-8111-111111111111","created_ago":1e30}]}]}`, "out of range"),
	)
})
