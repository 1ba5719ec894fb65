#!/usr/bin/env node
// First-run set-up: copies the example settings where none exist yet and says what to fill in.
import { copyFileSync, existsSync } from "node:fs";

const copies = [
  ["governor.example.yaml", "governor.yaml"],
  [".env.example", ".env"],
];
for (const [from, to] of copies) {
  if (existsSync(to)) console.log(`kept your ${to}`);
  else {
    copyFileSync(from, to);
    console.log(`created ${to} from ${from}`);
  }
}
console.log(`
Next:
  1. Create the Slack app from manifest.yml (see README, "Create the Slack app").
  2. Put SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (and SLACK_APP_TOKEN for Socket Mode) in .env.
  3. Put your channel and user ids in governor.yaml.
  4. Make sure Redis is running (redis-server), then: npm start`);
