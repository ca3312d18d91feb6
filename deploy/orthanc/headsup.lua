-- HEADS UP routing for Orthanc 1.10 + orthanc-dicomweb 1.7 (see README.md in this folder).
--
--   OnStableStudy     sends the study's instances that HEADS UP has not received yet, minus HEADS UP's
--                     own outputs, to the DICOMweb server named by HeadsUp.DicomWebServer (STOW-RS job).
--   OnJobSuccess      marks the delivered instances with the user metadata "HeadsUpSent".
--   OnJobFailure      forgets the attempt, so that the instances are sent with the next stable event
--                     (or when the failed job is resubmitted with POST /jobs/<id>/resubmit).
--   OnStoredInstance  forwards each HEADS UP output instance to HeadsUp.ForwardResultsTo (a
--                     DicomModalities entry), when that setting is not empty.
--
-- Why this cannot loop: when HEADS UP STOWs its SR (series 9902) and Secondary Captures (series 9901)
-- back into this Orthanc, the study receives new instances and becomes stable again, so
-- OnStableStudy fires a second time. The only candidates for sending are instances that are not HEADS
-- UP outputs and carry no "HeadsUpSent" metadata; after the first delivery there are none, so the
-- second stable event logs "nothing new" and sends nothing. New scanner instances arriving later
-- (a late series) are sent on their own, which is what should re-trigger a triage.
--
-- RESEARCH SOFTWARE - NOT FOR CLINICAL USE.

local METADATA = 'HeadsUpSent'          -- declared in "UserMetadata" of orthanc.json

-- Settings: the "HeadsUp" section of the Orthanc configuration, with defaults.
local function ReadSettings()
  local all = GetOrthancConfiguration() or {}
  local section = all['HeadsUp'] or {}
  local settings = {
    server = section['DicomWebServer'] or 'headsup',
    prefix = string.upper(section['OutputPrefix'] or 'HEADS UP'),
    outputNumbers = {},
    outputModalities = {},
    sendModalities = {},
    anyModality = true,
    forwardTo = section['ForwardResultsTo'] or '',
  }
  for _, n in ipairs(section['OutputSeriesNumbers'] or { 9901, 9902 }) do
    settings.outputNumbers[tonumber(n)] = true
  end
  for _, m in ipairs(section['OutputModalities'] or { 'SR', 'OT' }) do
    settings.outputModalities[string.upper(m)] = true
  end
  for _, m in ipairs(section['SendModalities'] or { 'CT' }) do
    settings.sendModalities[string.upper(m)] = true
    settings.anyModality = false
  end
  return settings
end

local SETTINGS = ReadSettings()

-- The Bearer token of the server entry comes from ${HEADSUP_INGEST_KEY}; Orthanc substitutes an
-- unset variable with "" and starts anyway, and every STOW would then be refused with 401. Say so.
local function CheckToken()
  local dicomWeb = (GetOrthancConfiguration() or {})['DicomWeb'] or {}
  local server = (dicomWeb['Servers'] or {})[SETTINGS.server]
  if server == nil then
    print('HEADS UP: ERROR: no DicomWeb.Servers entry "' .. SETTINGS.server .. '" in the configuration')
    return
  end
  local headers = (type(server) == 'table' and server['HttpHeaders']) or {}
  local authorization = headers['Authorization']
  if authorization ~= nil and string.match(authorization, '^%s*[Bb]earer%s*$') then
    print('HEADS UP: ERROR: the Authorization header of DICOMweb server "' .. SETTINGS.server ..
      '" has an empty Bearer token: is HEADSUP_INGEST_KEY set in the environment of Orthanc?')
  end
end

CheckToken()

-- STOW jobs this script started and that have not succeeded yet: job id -> { study, instances }.
-- inFlight: instance id -> job id, so that an instance is not sent twice while its job runs.
local jobs = {}
local inFlight = {}

local function Log(message)
  print('HEADS UP: ' .. message)
end

local function Trim(value)
  if value == nil then
    return ''
  end
  return (string.gsub(tostring(value), '^%s*(.-)%s*$', '%1'))
end

local function StartsWith(value, prefix)
  return prefix ~= '' and string.sub(string.upper(Trim(value)), 1, string.len(prefix)) == prefix
end

-- True for a series (MainDicomTags) or an instance (simplified tags) that HEADS UP produced.
local function IsHeadsUpOutput(tags)
  if tags == nil then
    return false
  end
  if StartsWith(tags['SeriesDescription'], SETTINGS.prefix) or StartsWith(tags['Manufacturer'], SETTINGS.prefix) then
    return true
  end
  local number = tonumber(Trim(tags['SeriesNumber']))
  local modality = string.upper(Trim(tags['Modality']))
  return number ~= nil and SETTINGS.outputNumbers[number] == true and SETTINGS.outputModalities[modality] == true
end

local function IsSentModality(tags)
  return SETTINGS.anyModality or SETTINGS.sendModalities[string.upper(Trim(tags['Modality']))] == true
end

local function AlreadySent(instanceId)
  if inFlight[instanceId] ~= nil then
    return true
  end
  local answer = RestApiGet('/instances/' .. instanceId .. '/metadata?expand')
  if answer == nil then
    return false
  end
  local metadata = ParseJson(answer)
  return metadata ~= nil and metadata[METADATA] ~= nil
end

function OnStableStudy(studyId, tags, metadata)
  local answer = RestApiGet('/studies/' .. studyId .. '/series')
  if answer == nil then
    Log('cannot list the series of study ' .. studyId)
    return
  end

  local toSend = {}
  local outputs, sent, skipped = 0, 0, 0
  for _, series in ipairs(ParseJson(answer)) do
    local seriesTags = series['MainDicomTags'] or {}
    local instances = series['Instances'] or {}
    if IsHeadsUpOutput(seriesTags) then
      outputs = outputs + #instances
    elseif not IsSentModality(seriesTags) then
      skipped = skipped + #instances
    else
      for _, instanceId in ipairs(instances) do
        if AlreadySent(instanceId) then
          sent = sent + 1
        else
          table.insert(toSend, instanceId)
        end
      end
    end
  end

  local uid = (tags and tags['StudyInstanceUID']) or '?'
  if #toSend == 0 then
    Log(string.format('study %s (%s) is stable, nothing new to send (%d already sent, %d HEADS UP outputs, %d of other modalities)',
      studyId, uid, sent, outputs, skipped))
    return
  end

  local request = { Resources = toSend, Synchronous = false }
  local reply = RestApiPost('/dicom-web/servers/' .. SETTINGS.server .. '/stow', DumpJson(request, true))
  local job = reply and ParseJson(reply)
  if job == nil or job['ID'] == nil then
    Log(string.format('ERROR: could not start the STOW of study %s (%s) to "%s"', studyId, uid, SETTINGS.server))
    return
  end

  jobs[job['ID']] = { study = studyId, uid = uid, instances = toSend }
  for _, instanceId in ipairs(toSend) do
    inFlight[instanceId] = job['ID']
  end
  Log(string.format('study %s (%s) is stable: STOW of %d new instance(s) to "%s" started as job %s (%d already sent, %d HEADS UP outputs, %d of other modalities)',
    studyId, uid, #toSend, SETTINGS.server, job['ID'], sent, outputs, skipped))
end

function OnJobSuccess(jobId)
  local job = jobs[jobId]
  if job == nil then
    return
  end
  for _, instanceId in ipairs(job.instances) do
    RestApiPut('/instances/' .. instanceId .. '/metadata/' .. METADATA, jobId)
    inFlight[instanceId] = nil
  end
  jobs[jobId] = nil
  Log(string.format('job %s delivered %d instance(s) of study %s (%s) to "%s"',
    jobId, #job.instances, job.study, job.uid, SETTINGS.server))
end

function OnJobFailure(jobId)
  local job = jobs[jobId]
  if job == nil then
    return
  end
  -- Keep the job in "jobs": if an operator resubmits it and it succeeds, OnJobSuccess marks the
  -- instances. Free them in "inFlight", so that the next stable event of the study retries them.
  for _, instanceId in ipairs(job.instances) do
    if inFlight[instanceId] == jobId then
      inFlight[instanceId] = nil
    end
  end
  Log(string.format('ERROR: job %s could not STOW study %s (%s) to "%s"; see GET /jobs/%s, retry with POST /jobs/%s/resubmit',
    jobId, job.study, job.uid, SETTINGS.server, jobId, jobId))
end

function OnStoredInstance(instanceId, tags, metadata, origin)
  if SETTINGS.forwardTo == '' or not IsHeadsUpOutput(tags) then
    return
  end
  local request = { Resources = { instanceId }, Synchronous = false }
  local reply = RestApiPost('/modalities/' .. SETTINGS.forwardTo .. '/store', DumpJson(request, true))
  if reply == nil then
    Log(string.format('ERROR: could not start forwarding HEADS UP instance %s to "%s"', instanceId, SETTINGS.forwardTo))
  end
end

Log(string.format('routing loaded: stable studies -> DICOMweb server "%s"; HEADS UP outputs -> %s',
  SETTINGS.server, SETTINGS.forwardTo == '' and 'not forwarded' or ('modality "' .. SETTINGS.forwardTo .. '"')))
