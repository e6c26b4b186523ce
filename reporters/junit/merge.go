package junit

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Merge joins JUnit documents written by heval (several runs or shards of one run) into one:
// suites with the same name become one suite whose cases are the union, ordered as a single
// run orders them; properties are the first document's, without its shard.
func Merge(dst io.Writer, srcs ...io.Reader) error {
	merged := testSuites{}
	index := map[string]int{}
	for i, src := range srcs {
		var doc testSuites
		if err := xml.NewDecoder(src).Decode(&doc); err != nil {
			return fmt.Errorf("junit: reading document %d: %w", i+1, err)
		}
		if merged.Name == "" {
			merged.Name = doc.Name
		}
		for _, s := range doc.Suites {
			j, ok := index[s.Name]
			if !ok {
				index[s.Name] = len(merged.Suites)
				s.Cases = slices.Clone(s.Cases)
				s.Properties = withoutShard(s.Properties)
				merged.Suites = append(merged.Suites, s)
				continue
			}
			merged.Suites[j].Cases = append(merged.Suites[j].Cases, s.Cases...)
		}
	}
	slices.SortStableFunc(merged.Suites, func(a, b testSuite) int {
		return strings.Compare(suiteGroupOrder(a.Name), suiteGroupOrder(b.Name))
	})
	for i := range merged.Suites {
		sortCases(merged.Suites[i].Cases)
	}
	return write(dst, &merged)
}

// suiteGroupOrder sorts record suites by group, and the thresholds and run suites last.
func suiteGroupOrder(name string) string {
	if name == "heval/thresholds" || name == "heval/run" {
		return "\xff" + name
	}
	if i := strings.LastIndex(name, " ["); i >= 0 {
		return name[i:]
	}
	return name
}

func withoutShard(p *propertyList) *propertyList {
	if p == nil {
		return nil
	}
	out := &propertyList{}
	for _, pr := range p.Props {
		if pr.Name != "heval.shard" {
			out.Props = append(out.Props, pr)
		}
	}
	return out
}
