#include "core/journal.h"

#include <simdjson.h>

#include <boost/crc.hpp>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "core/errors.h"
#include "core/seed_format.h"

namespace redial {
namespace {

std::uint32_t crc32_of(const char* p, std::size_t n) {
  boost::crc_32_type crc;
  crc.process_bytes(p, n);
  return crc.checksum();
}

void append_payload(std::string& out, const Mutation& m) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, RecordPut>) {
          out += "{\"t\":\"put\",\"m\":" + std::to_string(v.month) + ",\"k\":";
          append_json_string(out, v.key);
          out += ",\"r\":";
          append_record_json(out, v.record);
        } else if constexpr (std::is_same_v<T, CallStarted>) {
          out += "{\"t\":\"start\",\"seq\":" + std::to_string(v.call.dial_seq) + ",\"p\":";
          append_json_string(out, v.call.phone);
          out += ",\"k\":";
          append_json_string(out, v.call.key);
          out += ",\"c\":";
          append_json_string(out, v.call.call_id);
          out += ",\"at\":" + std::to_string(v.call.dialed_at);
        } else if constexpr (std::is_same_v<T, CallAccepted>) {
          out += "{\"t\":\"accept\",\"seq\":" + std::to_string(v.dial_seq) + ",\"p\":";
          append_json_string(out, v.phone);
          out += ",\"c\":";
          append_json_string(out, v.call_id);
        } else if constexpr (std::is_same_v<T, CallSeen>) {
          out += "{\"t\":\"seen\",\"k\":";
          append_json_string(out, v.key);
          out += ",\"c\":";
          append_json_string(out, v.call_id);
          out += ",\"at\":" + std::to_string(v.at);
        } else {
          out += "{\"t\":\"end\",\"seq\":" + std::to_string(v.dial_seq) + ",\"p\":";
          append_json_string(out, v.phone);
          out += ",\"why\":";
          append_json_string(out, v.reason);
        }
        out += '}';
      },
      m);
}

std::string str(simdjson::ondemand::object& o, const char* k) {
  return std::string(std::string_view(o[k].get_string()));
}

Mutation parse_payload(simdjson::ondemand::object o) {
  std::string_view t = o["t"].get_string();
  if (t == "put") {
    RecordPut p;
    p.month = static_cast<MonthId>(std::int64_t(o["m"].get_int64()));
    p.key = str(o, "k");
    p.record = parse_record(o["r"].get_object());
    return p;
  }
  if (t == "start") {
    CallStarted s;
    s.call.dial_seq = o["seq"].get_uint64();
    s.call.phone = str(o, "p");
    s.call.key = str(o, "k");
    s.call.call_id = str(o, "c");
    s.call.dialed_at = o["at"].get_int64();
    return s;
  }
  if (t == "accept") {
    CallAccepted a;
    a.dial_seq = o["seq"].get_uint64();
    a.phone = str(o, "p");
    a.call_id = str(o, "c");
    return a;
  }
  if (t == "end") {
    CallEnded e;
    e.dial_seq = o["seq"].get_uint64();
    e.phone = str(o, "p");
    e.reason = str(o, "why");
    return e;
  }
  if (t == "seen") {
    CallSeen c;
    c.key = str(o, "k");
    c.call_id = str(o, "c");
    c.at = o["at"].get_int64();
    return c;
  }
  throw InputError("t", "unknown journal entry type \"" + std::string(t) + "\"");
}

// Checks a line's frame; returns the payload's bounds or false.
bool frame_ok(const char* line, std::size_t len, std::size_t& payload_at) {
  if (len < 10 || line[8] != ' ') return false;
  std::uint32_t want = 0;
  auto [p, ec] = std::from_chars(line, line + 8, want, 16);
  if (ec != std::errc() || p != line + 8) return false;
  payload_at = 9;
  return crc32_of(line + 9, len - 9) == want;
}

}  // namespace

void append_journal_line(std::string& out, const Mutation& m) {
  std::size_t start = out.size();
  out.append("00000000 ");
  append_payload(out, m);
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", crc32_of(out.data() + start + 9, out.size() - start - 9));
  out.replace(start, 8, hex);
  out.push_back('\n');
}

JournalContents parse_journal(const std::string& path, const std::string& data, std::size_t size) {
  JournalContents result;
  simdjson::ondemand::parser parser;
  std::size_t pos = 0;
  while (pos < size) {
    const char* nl = static_cast<const char*>(std::memchr(data.data() + pos, '\n', size - pos));
    std::size_t len = nl ? static_cast<std::size_t>(nl - (data.data() + pos)) : size - pos;
    std::size_t payload_at = 0;
    bool ok = nl && frame_ok(data.data() + pos, len, payload_at);
    if (!ok) {
      // Torn tail only if no complete, valid line follows.
      std::size_t next = nl ? pos + len + 1 : size;
      while (next < size) {
        const char* nl2 =
            static_cast<const char*>(std::memchr(data.data() + next, '\n', size - next));
        if (!nl2) break;
        std::size_t len2 = static_cast<std::size_t>(nl2 - (data.data() + next));
        std::size_t pa = 0;
        if (frame_ok(data.data() + next, len2, pa))
          throw StoreError(path + ": byte " + std::to_string(pos) +
                           ": entry fails its checksum but valid entries follow it (byte " +
                           std::to_string(next) +
                           "); the journal is corrupt, not torn. Refusing to start; nothing "
                           "was changed");
        next += len2 + 1;
      }
      result.torn = true;
      break;
    }
    // The payload is followed by '\n' and more data, which satisfies simdjson's padding only at
    // the end of the buffer; copy the payload into a padded string to be safe.
    simdjson::padded_string payload(data.data() + pos + payload_at, len - payload_at);
    try {
      auto doc = parser.iterate(payload);
      result.entries.push_back(parse_payload(doc.get_object()));
    } catch (const std::exception& e) {
      throw StoreError(path + ": byte " + std::to_string(pos) +
                       ": entry has a valid checksum but cannot be read (" + e.what() + ")");
    }
    pos += len + 1;
    result.valid_bytes = pos;
  }
  return result;
}

}  // namespace redial
