package harness_test

import (
	"math"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/heval-dev/heval/harness"
	"github.com/heval-dev/heval/helicone"
)

var _ = Describe("parsing", func() {
	DescribeTable("rates",
		func(in string, want helicone.Rate, perSecond float64) {
			r, err := helicone.ParseRate(in)
			Expect(err).NotTo(HaveOccurred())
			Expect(r).To(Equal(want))
			if math.IsInf(perSecond, 1) {
				Expect(r.IsUnlimited()).To(BeTrue())
			} else {
				Expect(r.PerSecond()).To(BeNumerically("~", perSecond, 1e-9))
			}
		},
		Entry("requests per window", "10000/5m", helicone.Rate{Requests: 10000, Window: 5 * time.Minute}, 10000.0/300),
		Entry("a bare unit", "600/s", helicone.Rate{Requests: 600, Window: time.Second}, 600.0),
		Entry("free tier", "free", helicone.Rate{Requests: helicone.FreeRequests, Window: helicone.RateWindow}, 1000.0/300),
		Entry("pro tier", "Pro", helicone.Rate{Requests: helicone.ProRequests, Window: helicone.RateWindow}, 10000.0/300),
		Entry("enterprise tier", "enterprise", helicone.Rate{Requests: helicone.EnterpriseRequests, Window: helicone.RateWindow}, 100000.0/300),
		Entry("unlimited", "unlimited", helicone.Rate{}, math.Inf(1)),
	)

	DescribeTable("bad rates are explained",
		func(in, says string) {
			_, err := helicone.ParseRate(in)
			Expect(err).To(MatchError(ContainSubstring(says)))
		},
		Entry("no window", "1000", "10000/5m"),
		Entry("zero", "0/5m", "positive"),
		Entry("bad window", "10/forever", "not a window"),
	)

	It("shares a budget between processes", func() {
		r := helicone.Rate{Requests: helicone.ProRequests, Window: helicone.RateWindow}.Share(4)
		Expect(r.PerSecond()).To(BeNumerically("~", 2500.0/300, 1e-9))
		Expect(r.String()).To(Equal("10000/5m (1/4 share)"))
		Expect(helicone.Rate{}.Share(4).IsUnlimited()).To(BeTrue())
	})

	DescribeTable("shards",
		func(in string, want harness.Shard, wantErr string) {
			s, err := harness.ParseShard(in)
			if wantErr != "" {
				Expect(err).To(MatchError(ContainSubstring(wantErr)))
				return
			}
			Expect(err).NotTo(HaveOccurred())
			Expect(s).To(Equal(want))
		},
		Entry("second of four", "2/4", harness.Shard{K: 2, N: 4}, ""),
		Entry("whole", "", harness.Shard{}, ""),
		Entry("zero-based is refused", "0/4", harness.Shard{}, "count from 1"),
		Entry("past the end", "5/4", harness.Shard{}, "1 <= K <= N"),
		Entry("no slash", "2", harness.Shard{}, "K/N"),
	)

	It("reads the shard from the environment", func() {
		GinkgoT().Setenv(harness.EnvShard, "")
		GinkgoT().Setenv(harness.EnvShards, "")
		GinkgoT().Setenv(harness.EnvJobIndex, "")
		GinkgoT().Setenv(harness.EnvShardIndex, "")
		Expect(harness.ShardFromEnv()).To(Equal(harness.Shard{}))
		GinkgoT().Setenv(harness.EnvShards, "3")
		GinkgoT().Setenv(harness.EnvJobIndex, "0")
		Expect(harness.ShardFromEnv()).To(Equal(harness.Shard{K: 1, N: 3}))
		GinkgoT().Setenv(harness.EnvJobIndex, "3")
		_, err := harness.ShardFromEnv()
		Expect(err).To(MatchError(ContainSubstring("from 0 to 2")))
		GinkgoT().Setenv(harness.EnvShard, "2/5")
		Expect(harness.ShardFromEnv()).To(Equal(harness.Shard{K: 2, N: 5}))
	})

	DescribeTable("thresholds",
		func(in, key, stat, op string, limit float64, group string) {
			t, err := harness.ParseThreshold(in)
			Expect(err).NotTo(HaveOccurred())
			Expect([]any{t.Key, t.Stat, t.Op, t.Limit, t.Group}).To(Equal([]any{key, stat, op, limit, group}))
			Expect(t.String()).To(Equal(in))
		},
		Entry(nil, "has_citations:pass_rate>=0.8", "has_citations", "pass_rate", ">=", 0.8, ""),
		Entry(nil, "accuracy:mean>=80@candidate", "accuracy", "mean", ">=", 80.0, "candidate"),
		Entry(nil, "word_count:p90<=250", "word_count", "p90", "<=", 250.0, ""),
		Entry(nil, "judge:errors==0", "judge", "errors", "==", 0.0, ""),
		Entry(nil, "x:median>1", "x", "median", ">", 1.0, ""),
		Entry(nil, "latency_ms:P99.9<2000", "latency_ms", "p99.9", "<", 2000.0, ""),
	)

	DescribeTable("bad thresholds are explained",
		func(in, says string) {
			_, err := harness.ParseThreshold(in)
			Expect(err).To(MatchError(ContainSubstring(says)))
		},
		Entry(nil, "accuracy>=80", "':'"),
		Entry(nil, "accuracy:avg>=80", "not one of mean"),
		Entry(nil, "accuracy:p101<=80", "not one of mean, median, pNN (p50, p90, ...), min, max, pass_rate, errors, count"),
		Entry(nil, "accuracy:pnan<=80", "not one of mean"),
		Entry(nil, "accuracy:mean>=high", "not a number"),
		Entry(nil, "accuracy:mean 80", "comparison"),
		Entry(nil, "accuracy:mean>=80@", "empty"),
	)
})
