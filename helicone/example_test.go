package helicone_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/heval-dev/heval/helicone"
)

func ExampleNewClient() {
	c, err := helicone.NewClient(
		helicone.WithAPIKey("sk-helicone-example"),
		helicone.WithBaseURL("http://localhost:8585"), // a self-hosted server or `heval serve`
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.BaseURL())
	// Output: http://localhost:8585
}

func ExampleClient_AddScores() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"data":null,"error":null}`)
	}))
	defer srv.Close()

	c, err := helicone.NewClient(helicone.WithAPIKey("sk-helicone-example"), helicone.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.AddScores(context.Background(), "0b7e3a52-6c1d-4f7e-9a0b-1c2d3e4f5a6b", helicone.Scores{
		"accuracy":   helicone.Int(92),
		"is_factual": helicone.Bool(true), // read back as "is_factual-hcone-bool" = 1
	})
	fmt.Println(err)
	// Output: <nil>
}

func ExampleParseFilter() {
	f, err := helicone.ParseFilter("property:Variant=B", "model~mini", "status=200")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f)

	_, err = helicone.ParseFilter("score:accuracy>=80")
	fmt.Println(err != nil)
	// Output:
	// {"left":{"left":{"request_response_rmt":{"properties":{"Variant":{"equals":"B"}}}},"operator":"and","right":{"request_response_rmt":{"model":{"contains":"mini"}}}},"operator":"and","right":{"request_response_rmt":{"status":{"equals":200}}}}
	// true
}

func ExampleClient_Requests() {
	c, err := helicone.NewClient() // HELICONE_API_KEY and HELICONE_BASE_URL from the environment
	if err != nil {
		log.Fatal(err)
	}
	f, err := helicone.ParseFilter("property:Variant=B", "created>=-24h")
	if err != nil {
		log.Fatal(err)
	}
	for r, err := range c.Requests(context.Background(), helicone.RequestQuery{Filter: f, Limit: 500}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.RequestID, r.Model)
	}
}

func ExampleRequestNumber() {
	slow := helicone.And(
		helicone.RequestNumber("latency", helicone.Gte, 1000),
		helicone.RequestText("provider", helicone.Equals, "OPENAI"),
	)
	fmt.Println(slow)
	fmt.Println(helicone.Score("accuracy", helicone.Gte, "80").Err() != nil) // scores compare as text only
	// Output:
	// {"left":{"request_response_rmt":{"latency":{"gte":1000}}},"operator":"and","right":{"request_response_rmt":{"provider":{"equals":"OPENAI"}}}}
	// true
}

func ExampleWithObserver() {
	var retries, limited atomic.Int64
	c, err := helicone.NewClient(
		helicone.WithAPIKey("sk-helicone-example"),
		helicone.WithBaseURL("http://localhost:8585"),
		helicone.WithObserver(func(a helicone.Attempt) {
			if a.Retry {
				retries.Add(1)
			}
			if a.RateLimited() {
				limited.Add(1)
			}
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = c // submit scores with c, then report retries.Load() and limited.Load()
}
