package helicone

import (
	"bytes"
	"encoding/json"
)

// decodeEnvelope decodes a whole 2xx body with the streaming decoder and returns its data
// (nil for null or absent data), for the fuzz tests.
func (c *Client) decodeEnvelope(method, path string, status int, raw []byte, rl RateLimit, strict bool) (json.RawMessage, error) {
	br := &bodyReader{r: bytes.NewReader(raw)}
	if !strict {
		return nil, c.decodeBody(method, path, status, br, rl, nil, 0)
	}
	var data json.RawMessage
	if err := c.decodeBody(method, path, status, br, rl, intoValue(&data), 0); err != nil || IsJSONNull(data) {
		return nil, err
	}
	return data, nil
}
