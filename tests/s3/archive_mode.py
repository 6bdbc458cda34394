"""The fault proxy's archive mode: objects whose path holds MATCH behave as AWS documents an S3
archive tier (GLACIER, DEEP_ARCHIVE), which radosgw 16 does not implement:

- GET answers 403 InvalidObjectState until a restore made a readable copy;
- HEAD carries x-amz-storage-class and, once asked for, x-amz-restore: ongoing-request="true",
  then ongoing-request="false", expiry-date="..." (after thaw_seconds);
- POST ?restore (RestoreObject) answers 202 when asked anew, 409 RestoreAlreadyInProgress while
  under way, 200 once readable;
- listings (ListObjectsV2) show the class in each matching object's StorageClass.

Control: POST /__fault__/archive?match=/.chunks/&thaw_seconds=2&class=GLACIER (match= empty: off).
"""
import email.utils
import re
import threading
import time
from urllib.parse import unquote, urlsplit


class ArchiveMode:
    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        with self.lock:
            self.match = ""
            self.thaw_seconds = 1.0
            self.storage_class = "GLACIER"
            self.ready_at = {}  # object path -> when its copy is readable
            self.asked = []     # RestoreObject requests accepted (202), by path
            self.posts = 0      # every RestoreObject request
            self.tiers = []

    def configure(self, q):
        with self.lock:
            self.match = q.get("match", "")
            self.thaw_seconds = float(q.get("thaw_seconds", "1"))
            self.storage_class = q.get("class", "GLACIER")
            self.ready_at.clear()

    def stats(self):
        with self.lock:
            return {"restore_asked": list(self.asked), "restore_posts": self.posts, "restore_tiers": list(self.tiers)}

    def archived(self, raw_path):
        path = urlsplit(raw_path).path
        return bool(self.match) and self.match in unquote(path), path

    def state(self, path):
        """none | ongoing | readable"""
        at = self.ready_at.get(path)
        if at is None:
            return "none"
        return "readable" if time.time() >= at else "ongoing"

    def answer(self, handler, body):
        """An answer of its own for an archived object (a tuple status, code, headers), or None to
        forward the request (adjusting a HEAD's headers with head_headers)."""
        archived, path = self.archived(handler.path)
        if not archived:
            return None
        query = urlsplit(handler.path).query
        with self.lock:
            state = self.state(path)
            if handler.command == "POST" and any(p.split("=")[0] == "restore" for p in query.split("&")):
                self.posts += 1
                tier = re.search(rb"<Tier>([^<]*)</Tier>", body or b"")
                self.tiers.append(tier.group(1).decode() if tier else "")
                if state == "ongoing":
                    return 409, "RestoreAlreadyInProgress", []
                if state == "readable":
                    return 200, None, []
                self.ready_at[path] = time.time() + self.thaw_seconds
                self.asked.append(path)
                return 202, None, []
            if handler.command == "GET" and state != "readable":
                return 403, "InvalidObjectState", []
        return None

    def head_headers(self, handler):
        archived, path = self.archived(handler.path)
        if not archived or handler.command != "HEAD":
            return []
        with self.lock:
            state = self.state(path)
            headers = [("x-amz-storage-class", self.storage_class)]
            if state == "ongoing":
                headers.append(("x-amz-restore", 'ongoing-request="true"'))
            elif state == "readable":
                expiry = email.utils.formatdate(self.ready_at[path] + 86400, usegmt=True)
                headers.append(("x-amz-restore", 'ongoing-request="false", expiry-date="%s"' % expiry))
            return headers

    def listing(self, handler, data):
        """A ListObjectsV2 answer with the archived objects' StorageClass."""
        if not self.match or handler.command != "GET" or "list-type=2" not in urlsplit(handler.path).query:
            return data
        needle = self.match.strip("/")

        def contents(m):
            block = m.group(0)
            key = re.search(rb"<Key>([^<]*)</Key>", block)
            if not key or needle not in unquote(key.group(1).decode()):
                return block
            return re.sub(rb"<StorageClass>[^<]*</StorageClass>",
                          b"<StorageClass>" + self.storage_class.encode() + b"</StorageClass>", block)

        return re.sub(rb"<Contents>.*?</Contents>", contents, data, flags=re.S)
