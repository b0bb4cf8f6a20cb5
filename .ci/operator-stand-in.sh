#!/usr/bin/env bash
# Runtime: bash, as root, on the CI/developer machine (Debian 12). A real MSSanté operator stand-in on loopback, for
# test/e2e-transport: Postfix (submission, STARTTLS, TLS 1.2 only, the four ECDHE-RSA suites of ECO.1.1.3, client
# certificate verification for applicative mailboxes, delivery to Dovecot over LMTP) and Dovecot (IMAP with STARTTLS,
# SASL XOAUTH2 through the oauth2 passdb, which introspects a local OIDC provider playing Pro Santé
# Connect: oidc-provider, test/e2e-transport/stand-in/psc-provider.mjs). Postfix authenticates through Dovecot SASL.
#
# Certificates come from a throw-away PKI made here with the openssl CLI at every (re)start, in the state folder
# (never in the repository): root "AC RACINE IGC-SANTE TEST", intermediate "AC IGC-SANTE ELEMENTAIRE ORGANISATIONS
# TEST", the operator's server certificate, a revoked one (+ CRLs), an expired one, another CA, the PKCS#12 of an
# applicative mailbox.
#
# Usage: .ci/operator-stand-in.sh [start|stop|status]   (default start; idempotent: a running stand-in is kept)
# Prints KEY=VALUE lines (MSS_STANDIN_*) on stdout; everything else goes to stderr.
# Environment: MSS_STANDIN_DIR (default /tmp/mss-operator-stand-in), MSS_STANDIN_{SMTP,IMAP,LMTP,AUTH,PSC}_PORT.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
D="${MSS_STANDIN_DIR:-/tmp/mss-operator-stand-in}"
SMTP_PORT="${MSS_STANDIN_SMTP_PORT:-2587}"
IMAP_PORT="${MSS_STANDIN_IMAP_PORT:-2143}"
LMTP_PORT="${MSS_STANDIN_LMTP_PORT:-2424}"
AUTH_PORT="${MSS_STANDIN_AUTH_PORT:-2425}"
PSC_PORT="${MSS_STANDIN_PSC_PORT:-2080}"
DOMAIN="hopital.test.mssante.fr"
APP_MAILBOX="lis@${DOMAIN}"
# The 4 suites of ECO.1.1.3 (OpenSSL names), in the order of the référentiel.
SUITES="ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256"
# Test-only secrets of the stand-in's own configuration (operator side, never the connector's).
DOVECOT_CLIENT_SECRET="dovecot-introspection-test"
P12_PASS="p12-test-$$-${RANDOM}"

log() { printf '[operator-stand-in] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

emit_env() {
  cat <<EOF
MSS_STANDIN_DIR=$D
MSS_STANDIN_HOST=127.0.0.1
MSS_STANDIN_SERVERNAME=localhost
MSS_STANDIN_DOMAIN=$DOMAIN
MSS_STANDIN_SMTP_PORT=$SMTP_PORT
MSS_STANDIN_IMAP_PORT=$IMAP_PORT
MSS_STANDIN_PSC_ISSUER=http://127.0.0.1:$PSC_PORT
MSS_STANDIN_PKI=$D/pki
MSS_STANDIN_TRUST_ANCHORS=$D/pki/igc-sante-test-anchors.pem
MSS_STANDIN_CRLS=$D/pki/root.crl.pem:$D/pki/inter.crl.pem
MSS_STANDIN_APP_MAILBOX=$APP_MAILBOX
MSS_STANDIN_APP_P12=$D/pki/app.p12
MSS_STANDIN_APP_P12_PASS_FILE=$D/pki/app.p12.pass
MSS_STANDIN_LOGS=$D/log
EOF
}

stop_all() {
  if [ -f "$D/postfix/main.cf" ]; then postfix -c "$D/postfix" stop >/dev/null 2>&1 || true; fi
  if [ -f "$D/dovecot/run/master.pid" ]; then kill "$(cat "$D/dovecot/run/master.pid")" 2>/dev/null || true; fi
  if [ -f "$D/psc.pid" ]; then kill "$(cat "$D/psc.pid")" 2>/dev/null || true; rm -f "$D/psc.pid"; fi
  for _ in $(seq 1 50); do
    port_open "$SMTP_PORT" || port_open "$IMAP_PORT" || port_open "$PSC_PORT" || return 0
    sleep 0.1
  done
}

running() {
  [ -f "$D/ready" ] && port_open "$SMTP_PORT" && port_open "$IMAP_PORT" && port_open "$PSC_PORT" \
    && [ -f "$D/psc.pid" ] && kill -0 "$(cat "$D/psc.pid")" 2>/dev/null
}

install_packages() {
  local need=()
  for pkg in postfix dovecot-core dovecot-imapd dovecot-lmtpd openssl; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "installation de ${need[*]}"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 \
      || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2; }
  fi
  id vmail >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin vmail
}

# ---------------------------------------------------------------- throw-away PKI (openssl CLI)
make_pki() {
  local P="$D/pki"
  mkdir -p "$P"/{root,inter,other}
  ( cd "$P"
  umask 077
  cat > ca.cnf <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_crl_days = 7
policy = policy_any
unique_subject = no
copy_extensions = copy
[ policy_any ]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
countryName = optional
[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_inter ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_client ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  for ca in root inter other; do : > "$ca/index.txt"; echo 1000 > "$ca/serial"; echo 01 > "$ca/crlnumber"; done
  key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
  # root (self-signed) and intermediate, IGC-Santé naming with a TEST suffix
  key root/key.pem
  openssl req -new -x509 -key root/key.pem -days 3650 -sha256 -config ca.cnf -extensions v3_ca \
    -subj "/C=FR/O=ASIP-SANTE/OU=IGC-SANTE TEST/CN=AC RACINE IGC-SANTE TEST" -out root/cert.pem
  key inter/key.pem
  openssl req -new -key inter/key.pem -subj "/C=FR/O=ASIP-SANTE/OU=IGC-SANTE TEST/CN=AC IGC-SANTE ELEMENTAIRE ORGANISATIONS TEST" -out inter/req.pem
  (cd root && openssl ca -batch -config ../ca.cnf -extensions v3_inter -days 3000 -keyfile key.pem -cert cert.pem \
    -in ../inter/req.pem -out ../inter/cert.pem -notext 2>/dev/null)
  # leaf certificates issued by the intermediate: name start end extensions
  issue() {
    local name=$1 subj=$2 ext=$3; shift 3
    key "$name.key"
    openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
    (cd inter && openssl ca -batch -config ../ca.cnf -extensions "$ext" -keyfile key.pem -cert cert.pem \
      -in "../$name.csr" -out "../$name.crt" -notext "$@" 2>/dev/null)
    rm -f "$name.csr"
  }
  issue server "/C=FR/O=MSS OPERATEUR TEST/CN=localhost" v3_server -days 365
  issue revoked "/C=FR/O=MSS OPERATEUR TEST/CN=localhost revoque" v3_server -days 365
  issue expired "/C=FR/O=MSS OPERATEUR TEST/CN=localhost expire" v3_server -startdate 20200101000000Z -enddate 20210101000000Z
  issue app "/C=FR/O=HOPITAL TEST/CN=$APP_MAILBOX" v3_client -days 365
  (cd inter && openssl ca -batch -config ../ca.cnf -keyfile key.pem -cert cert.pem -revoke ../revoked.crt -crl_reason keyCompromise 2>/dev/null)
  (cd inter && openssl ca -batch -config ../ca.cnf -keyfile key.pem -cert cert.pem -gencrl -out ../inter.crl.pem 2>/dev/null)
  (cd root && openssl ca -batch -config ../ca.cnf -keyfile key.pem -cert cert.pem -gencrl -out ../root.crl.pem 2>/dev/null)
  # another CA (not IGC-Santé) with a server and a client certificate
  key other/key.pem
  openssl req -new -x509 -key other/key.pem -days 3650 -sha256 -config ca.cnf -extensions v3_ca \
    -subj "/C=FR/O=AUTRE AC/CN=AC AUTRE NON IGC-SANTE TEST" -out other/cert.pem
  for leaf in other-server:v3_server:localhost other-app:v3_client:$APP_MAILBOX; do
    IFS=: read -r name ext cn <<<"$leaf"
    key "$name.key"
    openssl req -new -key "$name.key" -subj "/C=FR/O=AUTRE/CN=$cn" -out "$name.csr"
    (cd other && openssl ca -batch -config ../ca.cnf -extensions "$ext" -days 365 -keyfile key.pem -cert cert.pem \
      -in "../$name.csr" -out "../$name.crt" -notext 2>/dev/null)
    rm -f "$name.csr"
  done
  cat server.crt inter/cert.pem > server-chain.crt
  cat root/cert.pem inter/cert.pem > igc-sante-test-anchors.pem
  printf '%s' "$P12_PASS" > app.p12.pass
  openssl pkcs12 -export -inkey app.key -in app.crt -certfile inter/cert.pem -passout file:app.p12.pass -out app.p12
  openssl pkcs12 -export -inkey other-app.key -in other-app.crt -passout file:app.p12.pass -out other-app.p12
  chmod 644 ./*.crt ./*.pem root/cert.pem inter/cert.pem other/cert.pem
  )
}

# ---------------------------------------------------------------- Dovecot
write_dovecot() {
  mkdir -p "$D/dovecot/run" "$D/dovecot/state" "$D/mail"
  chown vmail:vmail "$D/mail"
  cat > "$D/dovecot/oauth2.conf.ext" <<EOF
# Dovecot oauth2 passdb: RFC 7662 introspection of the bearer token at the PSC stand-in.
introspection_mode = post
introspection_url = http://dovecot:${DOVECOT_CLIENT_SECRET}@127.0.0.1:${PSC_PORT}/token/introspection
username_attribute = sub
active_attribute = active
active_value = true
EOF
  chmod 600 "$D/dovecot/oauth2.conf.ext"
  cat > "$D/dovecot/dovecot.conf" <<EOF
instance_name = mss-operator-stand-in
base_dir = $D/dovecot/run
state_dir = $D/dovecot/state
protocols = imap lmtp
listen = 127.0.0.1
log_path = $D/log/dovecot.log
mail_location = maildir:$D/mail/%u
mail_uid = vmail
mail_gid = vmail
first_valid_uid = 1
ssl = required
ssl_cert = <$D/pki/server-chain.crt
ssl_key = <$D/pki/server.key
ssl_min_protocol = TLSv1.2
ssl_cipher_list = $SUITES
ssl_prefer_server_ciphers = yes
disable_plaintext_auth = yes
# XOAUTH2 only, as SC.MSS/CONF.07 names it (imapflow would prefer OAUTHBEARER when offered).
auth_mechanisms = xoauth2
auth_verbose = yes
auth_verbose_passwords = no
auth_debug = no
# Tests fail authentications on purpose: no failure delay, and no anvil penalty (its socket is closed, the
# documented way to disable the per-IP auth penalty).
auth_failure_delay = 0
passdb {
  driver = oauth2
  mechanisms = xoauth2
  args = $D/dovecot/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=$D/mail/%u allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = $AUTH_PORT
  }
}
protocol lmtp {
  postmaster_address = postmaster@$DOMAIN
}
EOF
}

# ---------------------------------------------------------------- Postfix
write_postfix() {
  local C="$D/postfix"
  mkdir -p "$C/spool" "$C/data"
  chown postfix "$C/data"
  # lot.*: the mailboxes of the 1,000-message fault tests (test/e2e-transport/exactly-once.e2e.ts), kept apart
  printf 'dr.martin@%s OK\ndr.durand@%s OK\n%s OK\nlot.expediteur@%s OK\nlot.destinataire@%s OK\n' "$DOMAIN" "$DOMAIN" "$APP_MAILBOX" "$DOMAIN" "$DOMAIN" > "$C/vmailbox"
  cat > "$C/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $C/spool
data_directory = $C/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mss-operateur.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks =
relayhost =
smtpd_banner = \$myhostname ESMTP operateur MSSante de test
maillog_file = $D/log/postfix.log
maillog_file_prefixes = $D/log
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = texthash:$C/vmailbox
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
# TLS 1.2 only, the 4 suites of ECO.1.1.3 (Référentiel #2), certificates of the IGC-Santé stand-in
smtpd_tls_chain_files = $D/pki/server.key, $D/pki/server-chain.crt
smtpd_tls_CAfile = $D/pki/igc-sante-test-anchors.pem
smtpd_tls_protocols = >=TLSv1.2, <=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2, <=TLSv1.2
smtpd_tls_ciphers = high
smtpd_tls_mandatory_ciphers = high
tls_high_cipherlist = $SUITES
tls_preempt_cipherlist = yes
smtpd_tls_loglevel = 1
# SASL through Dovecot: XOAUTH2/OAUTHBEARER with the Pro Santé Connect token
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$AUTH_PORT
EOF
  cat > "$C/master.cf" <<EOF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_ask_ccert=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,permit_tls_all_clientcerts,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,permit_tls_all_clientcerts,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

start_all() {
  install_packages
  stop_all
  rm -rf "$D"
  mkdir -p "$D/log"
  chmod 755 "$D"
  make_pki
  write_dovecot
  write_postfix
  log "démarrage du fournisseur Pro Santé Connect de test (oidc-provider) sur :$PSC_PORT"
  PSC_PORT="$PSC_PORT" PSC_DOVECOT_SECRET="$DOVECOT_CLIENT_SECRET" \
    nohup node "$ROOT/test/e2e-transport/stand-in/psc-provider.mjs" </dev/null >> "$D/log/psc.log" 2>&1 &
  echo $! > "$D/psc.pid"
  log "démarrage de Dovecot (IMAP :$IMAP_PORT, LMTP :$LMTP_PORT, auth :$AUTH_PORT)"
  # Daemons never keep the caller's stdout/stderr: a test runner reading them would wait forever.
  dovecot -c "$D/dovecot/dovecot.conf" </dev/null >> "$D/log/dovecot-start.log" 2>&1
  log "démarrage de Postfix (soumission :$SMTP_PORT)"
  # postfix(1) reports its fatal errors on a terminal or to syslog only: script(1) gives it one.
  script -qec "postfix -c $D/postfix start" /dev/null </dev/null >> "$D/log/postfix-start.log" 2>&1 \
    || { cat "$D/log/postfix-start.log" >&2; return 1; }
  for _ in $(seq 1 100); do
    if port_open "$SMTP_PORT" && port_open "$IMAP_PORT" && port_open "$PSC_PORT"; then
      touch "$D/ready"
      return 0
    fi
    sleep 0.1
  done
  log "le stand-in n'a pas démarré : voir $D/log"
  tail -n 20 "$D/log/"*.log >&2 || true
  return 1
}

case "${1:-start}" in
  start) if running; then log "déjà démarré ($D)"; else start_all; fi; emit_env ;;
  stop) stop_all; log "arrêté" ;;
  status) if running; then emit_env; else log "arrêté"; exit 1; fi ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
