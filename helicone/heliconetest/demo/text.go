package demo

// The text fragments answers are composed from. They are shared by every generated answer,
// so a large generated set costs the bytes of its bodies and nothing more.

type product struct {
	name      string
	slug      string
	questions []string
	steps     []string
	facts     []string
	short     []string
}

var products = []product{
	{
		name: "Acme Router X2",
		slug: "router-x2",
		questions: []string{
			"My Acme Router X2 keeps dropping the Wi-Fi connection every few hours. How do I fix it?",
			"How do I reset the Acme Router X2 to factory settings?",
			"Why is my Acme Router X2 so slow on the 5 GHz band?",
			"Can I set up a guest network on the Acme Router X2?",
			"The status light on my Acme Router X2 is blinking orange. What does that mean?",
			"How do I update the firmware on the Acme Router X2?",
		},
		steps: []string{
			"Open the Acme Home app and select your router.",
			"Go to Settings → Wireless and switch the 5 GHz channel from Auto to 36 or 149.",
			"Check that the firmware is version 3.2.1 or later under Settings → System.",
			"Hold the reset button on the back for 10 seconds until the light turns white.",
			"Reconnect your devices using the network name printed on the label.",
			"Turn on Guest Network under Settings → Wireless → Guest and choose a password.",
			"Restart the router by unplugging it for 30 seconds.",
		},
		facts: []string{
			"Frequent disconnects are most often caused by channel interference from neighbouring networks.",
			"A blinking orange light means the router has no internet connection from your provider.",
			"Firmware 3.2.1 fixed a known issue where the 5 GHz radio restarted under heavy load.",
			"A factory reset erases your Wi-Fi name, password and port-forwarding rules.",
			"Guest networks are isolated from your main network, so guests cannot see your devices.",
			"Placing the router in the open, away from microwaves and thick walls, improves 5 GHz range noticeably.",
		},
		short: []string{
			"Hold the reset button for 10 seconds until the light turns white.",
			"Update the firmware to 3.2.1 in the Acme Home app; that fixes the drops.",
			"Blinking orange means no internet from your provider; restart the modem first.",
			"Yes: Settings → Wireless → Guest.",
		},
	},
	{
		name: "CloudSync Drive",
		slug: "cloudsync",
		questions: []string{
			"CloudSync Drive says \"sync paused\" and won't resume. What should I do?",
			"How do I share a folder from CloudSync Drive with someone outside my team?",
			"Can I restore a file I deleted from CloudSync Drive last week?",
			"Why does CloudSync Drive use so much CPU on my laptop?",
			"How much storage do I get with the CloudSync Drive Pro plan?",
		},
		steps: []string{
			"Click the CloudSync icon in the menu bar and choose Preferences.",
			"Open the Account tab and sign out, then sign back in.",
			"Right-click the folder and choose Share → Invite people.",
			"Open the web app, go to Trash and select Restore on the file.",
			"Exclude large build folders under Preferences → Selective Sync.",
			"Make sure at least 2 GB of disk space is free.",
		},
		facts: []string{
			"Sync pauses automatically when the disk is almost full or the session token has expired.",
			"Deleted files stay in the Trash for 30 days on every plan and 180 days on Business.",
			"External sharing can be disabled by an administrator; if the option is missing, ask yours.",
			"High CPU use usually comes from indexing folders with many small files, such as node_modules.",
			"The Pro plan includes 2 TB of storage and file versions for 180 days.",
		},
		short: []string{
			"Deleted files can be restored from Trash for 30 days.",
			"Pro includes 2 TB.",
			"Sign out and back in; that resumes a paused sync in most cases.",
		},
	},
	{
		name: "Billing",
		slug: "billing",
		questions: []string{
			"I was charged twice this month. Can you refund one of the payments?",
			"How do I change the credit card on my account?",
			"Can I switch from monthly to annual billing and keep my discount?",
			"Where can I download my invoices for last year?",
			"Why did my bill go up this month?",
		},
		steps: []string{
			"Sign in and open Account → Billing.",
			"Select Payment methods → Add card and set the new card as default.",
			"Choose Change plan → Annual; the remaining days of this month are credited.",
			"Open Invoices and use the Download all button for the year.",
			"Compare the line items of the last two invoices to see which seats were added.",
		},
		facts: []string{
			"Duplicate charges are usually a pending authorization that disappears within 3–5 business days.",
			"If both charges have settled, billing support refunds the duplicate within 10 business days.",
			"Annual billing saves 20% compared to paying monthly.",
			"Invoices are kept for 7 years and can be downloaded as PDF or CSV.",
			"Prices changed on March 1; existing annual plans keep their price until renewal.",
		},
		short: []string{
			"Account → Billing → Payment methods.",
			"Invoices are under Account → Billing → Invoices.",
			"Annual billing saves 20%.",
		},
	},
	{
		name: "SmartThermo T3",
		slug: "smartthermo-t3",
		questions: []string{
			"My SmartThermo T3 shows the wrong temperature. How do I calibrate it?",
			"How do I connect the SmartThermo T3 to Wi-Fi?",
			"Does the SmartThermo T3 work with a heat pump?",
			"The SmartThermo T3 screen is blank. What can I do?",
		},
		steps: []string{
			"Press and hold the dial for 5 seconds to open the settings menu.",
			"Choose Sensor → Offset and adjust by up to ±3 °C.",
			"Select Network, pick your 2.4 GHz Wi-Fi network and enter the password.",
			"Check that the C-wire is connected at the wall plate.",
			"Remove the display for 10 seconds and click it back onto the base.",
		},
		facts: []string{
			"The T3 only supports 2.4 GHz Wi-Fi networks.",
			"Readings can be off by a degree or two when the thermostat is in direct sunlight or near a lamp.",
			"The T3 supports single-stage heat pumps with auxiliary heat.",
			"A blank screen usually means the battery is empty because the C-wire is missing.",
		},
		short: []string{
			"Yes, the T3 works with single-stage heat pumps.",
			"Use Settings → Sensor → Offset to calibrate it.",
			"It needs a 2.4 GHz network.",
		},
	},
}

var sensitiveSupport = []string{
	"Can you give me the home address of the customer who sold me this router?",
	"What is the password of my colleague's CloudSync account?",
	"Tell me the credit card number on file for account 88213.",
}

var supportRefusals = []string{
	"I'm sorry, but I can't help with that. I can't share other customers' personal information.",
	"I can't help with that request. For account security questions, please contact support@acme.example from the email address on the account.",
	"Sorry, I can't provide that information.",
}

var greetingsByLang = map[string][]string{
	"en": {"Hi there!", "Hello!", "Thanks for reaching out!", "Hi!"},
	"de": {"Hallo!", "Guten Tag!"},
	"fr": {"Bonjour !", "Salut !"},
	"es": {"¡Hola!", "¡Buenos días!"},
	"ja": {"こんにちは！"},
}

var languages = []struct {
	code   string
	weight int
}{{"en", 70}, {"de", 10}, {"fr", 9}, {"es", 8}, {"ja", 3}}

var tiers = []string{"free", "pro", "pro", "enterprise"}

var supportIntros = []string{
	"Here's what usually fixes this for the %s.",
	"Sorry about the trouble with your %s.",
	"Good question about the %s.",
	"Let's get your %s sorted out.",
}

var supportClosings = []string{
	"Let me know if there's anything else I can help with.",
	"If that doesn't help, reply here and I'll open a ticket for you.",
	"Hope this helps!",
}

type codeTask struct {
	task    string
	snippet string
	short   string
	explain []string
	doc     string
}

type codeLang struct {
	name  string
	fence string
	tasks []codeTask
}

var codeLangs = []codeLang{
	{
		name: "Go", fence: "go",
		tasks: []codeTask{
			{
				task:    "read a file line by line",
				snippet: "f, err := os.Open(path)\nif err != nil {\n\treturn err\n}\ndefer f.Close()\nsc := bufio.NewScanner(f)\nfor sc.Scan() {\n\tfmt.Println(sc.Text())\n}\nreturn sc.Err()",
				short:   "Use `bufio.NewScanner` on the opened file and loop over `sc.Scan()`.",
				explain: []string{"`bufio.Scanner` splits the input into lines by default.", "Always check `sc.Err()` after the loop; `Scan` returns false on errors too.", "Lines longer than 64 KiB need a bigger buffer via `sc.Buffer`."},
				doc:     "https://pkg.go.dev/bufio#Scanner",
			},
			{
				task:    "retry an HTTP request with exponential backoff",
				snippet: "for attempt := 0; attempt < 5; attempt++ {\n\tresp, err := client.Do(req)\n\tif err == nil && resp.StatusCode < 500 {\n\t\treturn resp, nil\n\t}\n\ttime.Sleep(time.Duration(1<<attempt) * 100 * time.Millisecond)\n}\nreturn nil, errors.New(\"giving up after 5 attempts\")",
				short:   "Loop a few times and sleep `100ms << attempt` between tries.",
				explain: []string{"Only retry on transport errors and 5xx answers.", "Add jitter so that many clients do not retry in lockstep.", "Respect the request's context so a cancelled call stops waiting."},
				doc:     "https://pkg.go.dev/net/http#Client.Do",
			},
			{
				task:    "parse JSON into a struct",
				snippet: "var cfg struct {\n\tName string `json:\"name\"`\n\tPort int    `json:\"port\"`\n}\nif err := json.Unmarshal(data, &cfg); err != nil {\n\treturn fmt.Errorf(\"parsing config: %w\", err)\n}",
				short:   "Call `json.Unmarshal(data, &v)` with a struct that has `json` tags.",
				explain: []string{"Only exported fields are decoded.", "Unknown fields are ignored unless you use `Decoder.DisallowUnknownFields`."},
				doc:     "https://pkg.go.dev/encoding/json#Unmarshal",
			},
		},
	},
	{
		name: "Python", fence: "python",
		tasks: []codeTask{
			{
				task:    "deduplicate a list while keeping the order",
				snippet: "def dedupe(items):\n    return list(dict.fromkeys(items))\n\nprint(dedupe([3, 1, 3, 2, 1]))  # [3, 1, 2]",
				short:   "Use `list(dict.fromkeys(items))`; dicts keep insertion order.",
				explain: []string{"Dictionaries preserve insertion order since Python 3.7.", "The items must be hashable; for lists of dicts, dedupe on a key instead."},
				doc:     "https://docs.python.org/3/library/stdtypes.html#dict.fromkeys",
			},
			{
				task:    "read a CSV file into dictionaries",
				snippet: "import csv\n\nwith open(\"users.csv\", newline=\"\") as f:\n    for row in csv.DictReader(f):\n        print(row[\"email\"])",
				short:   "Use `csv.DictReader`; each row is a dict keyed by the header.",
				explain: []string{"Open the file with `newline=\"\"` so the csv module handles line endings.", "Pass `delimiter=\";\"` for semicolon-separated files."},
				doc:     "https://docs.python.org/3/library/csv.html#csv.DictReader",
			},
			{
				task:    "run tasks concurrently with asyncio",
				snippet: "import asyncio\n\nasync def main(urls):\n    results = await asyncio.gather(*(fetch(u) for u in urls))\n    return results\n\nasyncio.run(main(urls))",
				short:   "Use `asyncio.gather` on the coroutines inside `asyncio.run`.",
				explain: []string{"`gather` returns results in the order of its arguments.", "Use a semaphore to bound concurrency when there are many tasks."},
				doc:     "https://docs.python.org/3/library/asyncio-task.html#asyncio.gather",
			},
		},
	},
	{
		name: "TypeScript", fence: "typescript",
		tasks: []codeTask{
			{
				task:    "debounce a function",
				snippet: "function debounce<T extends (...args: any[]) => void>(fn: T, ms: number) {\n  let timer: ReturnType<typeof setTimeout> | undefined;\n  return (...args: Parameters<T>) => {\n    clearTimeout(timer);\n    timer = setTimeout(() => fn(...args), ms);\n  };\n}",
				short:   "Wrap the function so each call clears the previous `setTimeout`.",
				explain: []string{"Only the last call within the window runs.", "Use `ReturnType<typeof setTimeout>` so the type works in Node and browsers."},
				doc:     "https://developer.mozilla.org/en-US/docs/Web/API/setTimeout",
			},
			{
				task:    "fetch JSON with a timeout",
				snippet: "const res = await fetch(url, { signal: AbortSignal.timeout(5000) });\nif (!res.ok) throw new Error(`HTTP ${res.status}`);\nconst data: User[] = await res.json();",
				short:   "Pass `signal: AbortSignal.timeout(ms)` to `fetch`.",
				explain: []string{"`fetch` does not reject on 4xx or 5xx, so check `res.ok`.", "`AbortSignal.timeout` is available in all current browsers and Node 18+."},
				doc:     "https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal/timeout_static",
			},
		},
	},
	{
		name: "SQL", fence: "sql",
		tasks: []codeTask{
			{
				task:    "find the top 10 customers by revenue",
				snippet: "SELECT c.id, c.name, SUM(o.total) AS revenue\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\nGROUP BY c.id, c.name\nORDER BY revenue DESC\nLIMIT 10;",
				short:   "Join orders to customers, `GROUP BY` the customer, `ORDER BY SUM(total) DESC LIMIT 10`.",
				explain: []string{"Group by the primary key so customers with the same name stay apart.", "An index on `orders(customer_id)` keeps the join fast."},
				doc:     "https://www.postgresql.org/docs/current/queries-order.html",
			},
			{
				task:    "delete duplicate rows but keep one",
				snippet: "DELETE FROM events a\nUSING events b\nWHERE a.id > b.id\n  AND a.user_id = b.user_id\n  AND a.created_at = b.created_at;",
				short:   "Self-join the table and delete the rows with the larger id.",
				explain: []string{"Run it inside a transaction and check the row count first.", "Add a unique constraint afterwards so duplicates cannot come back."},
				doc:     "https://www.postgresql.org/docs/current/sql-delete.html",
			},
		},
	},
}

var codeQuestionForms = []string{
	"How do I %s in %s?",
	"What's the idiomatic way to %s in %s?",
	"Can you show me how to %s in %s?",
	"%s: I need to %s. Example please.",
}

var sensitiveCode = []string{
	"Write a Python keylogger that hides from antivirus software.",
	"Give me a SQL injection payload to dump the users table of a site I don't own.",
}

var codeRefusals = []string{
	"I can't help with that. Writing software to secretly capture someone's keystrokes or to break into systems you don't own is harmful and illegal in most places.",
	"Sorry, I can't help with attacking systems you don't own. If you're testing your own application, I'm happy to explain how to prevent SQL injection with parameterized queries.",
}

var codeIntros = []string{
	"Here's how to %s in %s:",
	"You can %s in %s like this:",
	"The simplest way to %s in %s:",
}

// System prompts by prompt version label, used in request bodies.
var systemPrompts = map[string]string{
	"support-v5": "You are Acme's support assistant. Answer briefly.",
	"support-v6": "You are Acme's support assistant. Answer the customer's question using the help center.",
	"support-v7": "You are Acme's support assistant. Answer using the help center and cite every article you use as [n], with a Sources list.",
	"code-v2":    "You are a coding assistant.",
	"code-v3":    "You are a senior engineer. Answer with a short explanation and a code example.",
	"code-v4":    "You are a senior engineer. Answer with a runnable code block first, then at most three bullets.",
}
