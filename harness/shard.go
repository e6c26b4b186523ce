package harness

import (
	"fmt"
	"math/bits"
	"os"
	"strconv"
	"strings"
)

// Shard is one part of a run split over several processes or machines: shard K of N, K
// counting from 1 (as people and CI matrices number things). The zero Shard is the whole
// run. Samples are assigned by a stable hash (64-bit FNV-1a, reduced by its high bits) of their request id, so every shard
// of every machine agrees without talking to the others, and N shards together evaluate
// every sample exactly once. Each shard takes 1/N of the rate budget.
type Shard struct {
	K, N int
}

// Environment variables read by [ShardFromEnv].
const (
	// EnvShard is "K/N", for example HEVAL_SHARD=2/4.
	EnvShard = "HEVAL_SHARD"
	// EnvShards is N, used with a 0-based index from EnvJobIndex (or EnvShardIndex).
	EnvShards = "HEVAL_SHARDS"
	// EnvShardIndex is a 0-based shard index, as a CI matrix provides it.
	EnvShardIndex = "HEVAL_SHARD_INDEX"
	// EnvJobIndex is the 0-based index of a Kubernetes Indexed Job's pod.
	EnvJobIndex = "JOB_COMPLETION_INDEX"
)

// MaxShards is the most shards a run may be split into.
const MaxShards = 10000

// ParseShard reads "K/N" with 1 ≤ K ≤ N, for example "2/4". "" and "1/1" are the whole run.
func ParseShard(s string) (Shard, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Shard{}, nil
	}
	k, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: write K/N, for example 2/4 for the second of four shards", s)
	}
	ki, err1 := strconv.Atoi(strings.TrimSpace(k))
	ni, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni {
		return Shard{}, fmt.Errorf("shard %q: K and N must be whole numbers with 1 <= K <= N (shards count from 1)", s)
	}
	if ni > MaxShards {
		return Shard{}, fmt.Errorf("shard %q: at most %d shards are supported; a run split %d ways would leave almost every shard empty", s, MaxShards, ni)
	}
	return Shard{K: ki, N: ni}, nil
}

// ShardFromEnv reads the shard from the environment: HEVAL_SHARD ("K/N") when set, else a
// 0-based index from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or HEVAL_SHARD_INDEX
// (a CI matrix) together with HEVAL_SHARDS (N). Nothing set is the whole run.
func ShardFromEnv() (Shard, error) {
	if v := os.Getenv(EnvShard); v != "" {
		sh, err := ParseShard(v)
		if err != nil {
			return Shard{}, fmt.Errorf("%s: %w", EnvShard, err)
		}
		return sh, nil
	}
	nv := os.Getenv(EnvShards)
	if nv == "" {
		return Shard{}, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(nv))
	if err != nil || n < 1 || n > MaxShards {
		return Shard{}, fmt.Errorf("%s=%q: the number of shards must be a whole number from 1 to %d", EnvShards, nv, MaxShards)
	}
	name, iv := EnvJobIndex, os.Getenv(EnvJobIndex)
	if iv == "" {
		name, iv = EnvShardIndex, os.Getenv(EnvShardIndex)
	}
	if iv == "" {
		return Shard{}, fmt.Errorf("%s=%d is set but neither %s nor %s says which shard this is (0-based)", EnvShards, n, EnvJobIndex, EnvShardIndex)
	}
	i, err := strconv.Atoi(strings.TrimSpace(iv))
	if err != nil || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("%s=%q: the index must be a whole number from 0 to %d", name, iv, n-1)
	}
	return Shard{K: i + 1, N: n}, nil
}

// IsWhole reports whether s is the whole run.
func (s Shard) IsWhole() bool { return s.N <= 1 }

// String is "K/N", or "" for the whole run.
func (s Shard) String() string {
	if s.IsWhole() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Includes reports whether the sample with this request id belongs to the shard.
func (s Shard) Includes(requestID string) bool {
	if s.IsWhole() {
		return true
	}
	// FNV-1a, 64 bits (as hash/fnv computes it), without allocating.
	h := uint64(14695981039346656037)
	for i := 0; i < len(requestID); i++ {
		h ^= uint64(requestID[i])
		h *= 1099511628211
	}
	// The high bits decide (h×N÷2⁶⁴): FNV's low bits mix poorly over ids that differ in few
	// characters.
	hi, _ := bits.Mul64(h, uint64(s.N))
	return int(hi) == s.K-1
}
