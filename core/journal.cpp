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
        } else if constexpr (std::is_same_v<T, RecordDeleted>) {
          out += "{\"t\":\"del\",\"m\":" + std::to_string(v.month) + ",\"k\":";
          append_json_string(out, v.key);
          out += ",\"why\":";
          append_json_string(out, v.reason);
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
  if (t == "del") {
    RecordDeleted d;
    d.month = static_cast<MonthId>(std::int64_t(o["m"].get_int64()));
    d.key = str(o, "k");
    d.reason = str(o, "why");
    d.at = o["at"].get_int64();
    return d;
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

JournalContents parse_journal(const std::string& path, const std::string& data, std::size_t size,
                              bool set_aside_damaged) {
  JournalContents result;
  simdjson::ondemand::parser parser;
  std::size_t pos = 0;
  while (pos < size) {
    const char* nl = static_cast<const char*>(std::memchr(data.data() + pos, '\n', size - pos));
    if (!nl) {  // no newline after it: the write was cut short (a torn tail), never acknowledged
      result.torn = true;
      break;
    }
    const std::size_t len = static_cast<std::size_t>(nl - (data.data() + pos));
    const std::size_t entry = ++result.lines;
    auto damaged = [&](const std::string& why) {
      if (!set_aside_damaged)
        throw StoreError(path + ": byte " + std::to_string(pos) + ": entry " +
                         std::to_string(entry) + ": " + why +
                         "; the line is complete, so this is corruption, not a torn write. "
                         "Refusing to start; nothing was changed (`redial-runner recover "
                         "DATA_DIR` sets damaged lines aside, docs/storage.md)");
      result.damaged.push_back(DamagedLine{pos, len + 1, entry, why});
    };
    std::size_t payload_at = 0;
    if (!frame_ok(data.data() + pos, len, payload_at)) {
      damaged("entry fails its checksum");
    } else {
      // The payload is followed by '\n' and more data, which satisfies simdjson's padding only
      // at the end of the buffer; copy the payload into a padded string to be safe.
      simdjson::padded_string payload(data.data() + pos + payload_at, len - payload_at);
      bool read = false;
      std::string error;
      try {
        auto doc = parser.iterate(payload);
        result.entries.push_back(parse_payload(doc.get_object()));
        read = true;
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (!read) damaged("entry has a valid checksum but cannot be read (" + error + ")");
    }
    pos += len + 1;
    result.valid_bytes = pos;
  }
  return result;
}

}  // namespace redial
