# frozen_string_literal: true

# Cohort puppetral helper: loads Puppet once and then answers requests for
# Puppet's resource abstraction layer (RAL), so each request costs
# milliseconds instead of Puppet's start-up time.
#
# Started by the puppetral agent (packages/agents/src/puppetral/) with
# Puppet's own Ruby. Arguments are Puppet settings (`--vardir=/x`), as for any
# Puppet command.
#
# Protocol: one JSON object per line. After loading Puppet the helper writes
#   {"ready":true,"puppet":"7.23.0"}        (or {"ready":false,"error":"..."} and exits 1)
# then reads requests from stdin and writes exactly one reply per request:
#   {"id":1,"op":"find","type":"host","title":"db1","parameters":{"target":"/tmp/hosts"}}
#   {"id":1,"ok":true,"result":{...}}
#   {"id":1,"ok":false,"error":{"kind":"invalid|failed|internal","message":"..."}}
# ops: find (current state of one resource), search (all instances, filtered
# by the given parameters), apply (make it so, or with "noop":true report what
# would change). It exits when stdin closes.
#
# stdout is reserved for replies: Ruby's $stdout and file descriptor 1 (which
# exec'd commands inherit) are pointed at stderr, stdin at /dev/null.

require 'json'

PROTOCOL_OUT = $stdout.dup
PROTOCOL_IN = $stdin.dup
$stdout.reopen($stderr)
$stdin.reopen(File::NULL)
PROTOCOL_OUT.sync = true
$stderr.sync = true

def send_line(object)
  PROTOCOL_OUT.write("#{JSON.generate(object)}\n")
end

# A request the helper refuses before Puppet changes anything (status 4 in Cohort).
class InvalidRequest < StandardError; end

# An apply that Puppet reported as failed (status 1 in Cohort).
class ApplyFailed < StandardError; end

begin
  require 'puppet'
  Puppet.initialize_settings(ARGV)
  Puppet::ApplicationSupport.push_application_context(Puppet::Util::RunMode[:user])
  environment = Puppet.lookup(:environments).get!(Puppet[:environment])
  Puppet.push_context({ current_environment: environment }, 'cohort puppetral helper')
  # Without a destination Puppet queues every log message forever.
  Puppet[:color] = false
  Puppet::Util::Log.newdestination(:console)
rescue LoadError, StandardError => e
  send_line(ready: false, error: "#{e.class}: #{e.message}")
  exit 1
end

ENVIRONMENT = environment

# JSON-safe copy of a Puppet value: symbols become strings, containers are copied.
def plain(value)
  case value
  when Symbol then value.to_s
  when Array then value.map { |v| plain(v) }
  when Hash then value.each_with_object({}) { |(k, v), h| h[k.to_s] = plain(v) }
  when String, Integer, Float, true, false, nil then value
  else value.to_s
  end
end

def resource_type(name)
  raise InvalidRequest, 'no resource type given' if name.nil? || name.empty?
  type = Puppet::Type.type(name)
  raise InvalidRequest, "Puppet has no resource type '#{name}' (modulepath: #{ENVIRONMENT.modulepath.join(':')})" unless type
  type
end

# Parsed-file providers (host, mailalias, ...) remember every file they ever
# read; forget them so each request sees only its own targets, as a fresh
# Puppet run would.
def forget_parsed_targets(type)
  return unless defined?(Puppet::Provider::ParsedFile)
  type.providers.each do |name|
    provider = type.provider(name)
    provider.clear if provider && provider < Puppet::Provider::ParsedFile
  end
end

# Make parsed-file providers read `target` (besides their default file) when listing instances.
def read_target(type, target)
  return unless defined?(Puppet::Provider::ParsedFile)
  type.providers.each do |name|
    provider = type.provider(name)
    provider.target_object(target) if provider && provider < Puppet::Provider::ParsedFile && provider.suitable?
  end
end

def build(type, request, extra = {})
  title = request['title']
  params = request['parameters'] || {}
  title = params['name'] if (title.nil? || title.empty?) && params['name'].is_a?(String)
  raise InvalidRequest, "no title given for the #{type.name} resource: pass title=... (or name=...)" if title.nil? || title.empty?
  attributes = { title: title }
  params.each { |k, v| attributes[k.to_sym] = v }
  attributes.merge!(extra)
  begin
    resource = type.new(attributes)
  rescue Puppet::Error, ArgumentError, TypeError => e
    raise InvalidRequest, e.message
  end
  # A host catalog, as `puppet resource` uses: Puppet ignores noop on any other kind.
  catalog = Puppet::Resource::Catalog.new(nil, ENVIRONMENT)
  catalog.add_resource(resource)
  [resource, catalog]
end

def prefetch(resource)
  provider_class = resource.provider&.class
  provider_class.prefetch(resource.name => resource) if provider_class.respond_to?(:prefetch)
end

# The resource's current state as `puppet resource` shows it: its properties
# (absent ones left out, except ensure) and the parameters its type always shows.
def state_of(resource)
  plain(resource.to_resource.prune_parameters.to_hash)
end

def find(request)
  type = resource_type(request['type'])
  forget_parsed_targets(type)
  resource, = build(type, request, audit: type.properties.map(&:name))
  prefetch(resource)
  { 'type' => type.name.to_s, 'title' => resource.title, 'parameters' => state_of(resource) }
end

def search(request)
  type = resource_type(request['type'])
  filters = request['parameters'] || {}
  forget_parsed_targets(type)
  read_target(type, filters['target']) if filters['target'].is_a?(String)
  resources = {}
  type.instances.each do |instance|
    state = state_of(instance)
    next unless filters.all? { |k, v| state[k].to_s == v.to_s }
    resources[instance.title.to_s] = state
  end
  { 'type' => type.name.to_s, 'resources' => resources.sort.to_h }
rescue Puppet::DevError => e
  raise InvalidRequest, "Puppet cannot list #{request['type']} resources: #{e.message}"
end

def event_of(event)
  {
    'property' => event.property&.to_s,
    'previous_value' => plain(event.previous_value),
    'desired_value' => plain(event.desired_value),
    'status' => event.status.to_s,
    'message' => event.message.to_s,
  }
end

# Why an apply failed: the failed events' messages, else the error logs (first lines only).
def failure(resource, status, report)
  messages = (status&.events || []).select { |e| e.status.to_s == 'failure' }.map { |e| "#{e.property}: #{e.message}" }
  if messages.empty?
    messages = report.logs.select { |log| %i[err alert emerg crit].include?(log.level) }.map { |log| log.message.to_s }
  end
  messages = messages.map { |m| m.lines.first.to_s.chomp }.uniq
  messages.empty? ? "Puppet could not apply #{resource.ref}" : messages.join('; ')
end

def apply(request)
  type = resource_type(request['type'])
  forget_parsed_targets(type)
  resource, catalog = build(type, request, request['noop'] ? { noop: true } : {})
  transaction = catalog.apply
  report = transaction.report
  status = report.resource_statuses[resource.ref]
  raise ApplyFailed, failure(resource, status, report) if status.nil? || status.failed
  {
    'type' => type.name.to_s,
    'title' => resource.title,
    'events' => status.events.map { |event| event_of(event) },
    'parameters' => state_of(resource),
  }
end

OPS = { 'find' => method(:find), 'search' => method(:search), 'apply' => method(:apply) }.freeze

def answer(request)
  op = OPS[request['op']]
  raise InvalidRequest, "unknown op '#{request['op']}'; expected find, search or apply" unless op
  { 'id' => request['id'], 'ok' => true, 'result' => op.call(request) }
rescue InvalidRequest => e
  { 'id' => request['id'], 'ok' => false, 'error' => { 'kind' => 'invalid', 'message' => e.message } }
rescue ApplyFailed => e
  { 'id' => request['id'], 'ok' => false, 'error' => { 'kind' => 'failed', 'message' => e.message } }
rescue StandardError, ScriptError => e
  { 'id' => request['id'], 'ok' => false, 'error' => { 'kind' => 'internal', 'message' => "#{e.class}: #{e.message}" } }
end

send_line(ready: true, puppet: Puppet.version)
while (line = PROTOCOL_IN.gets)
  next if line.strip.empty?
  begin
    request = JSON.parse(line)
    raise JSON::ParserError, 'not an object' unless request.is_a?(Hash)
  rescue JSON::ParserError => e
    send_line(id: nil, ok: false, error: { kind: 'internal', message: "request is not a JSON object: #{e.message}" })
    next
  end
  reply = answer(request)
  begin
    send_line(reply)
  rescue JSON::GeneratorError, EncodingError => e
    send_line(id: request['id'], ok: false, error: { kind: 'internal', message: "the result cannot be sent as JSON: #{e.message}" })
  end
end
