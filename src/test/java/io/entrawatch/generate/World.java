package io.entrawatch.generate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The static population of a generated run: tenants, their users, devices, service principals,
 * managed identities, conditional-access policies, and the IP / ASN / location pools. Built once
 * from the seed; JSON fragments that never change per record are pre-rendered here for speed.
 *
 * <p>Pools are disjoint by construction: background traffic never uses an attacker address or an
 * attacker app, so planted attacks are the only source of detection-relevant patterns there.
 */
final class World {

    /** An IP address with its ASN (0 = the record omits autonomousSystemNumber) and location. */
    static final class Ip {
        final String address;
        final int asn;
        final String country;
        /** Pre-rendered {@code {"city":...,"geoCoordinates":{...},...}} object (UTF-8). */
        final byte[] locationJson;

        Ip(String address, int asn, Place p) {
            this.address = address;
            this.asn = asn;
            this.country = p.country;
            this.locationJson = p.jsonBytes();
        }

        @Override
        public String toString() {
            return address + "/AS" + asn;
        }
    }

    record Place(String city, String state, String country, double lat, double lon, String json, byte[] bytes) {
        /** The pre-rendered location object, shared by every address of the place. */
        byte[] jsonBytes() {
            return bytes;
        }

        static Place of(String city, String state, String country, double lat, double lon) {
            ByteSink sb = new ByteSink(160);
            sb.append("{\"city\":");
            Json.str(sb, city);
            sb.append(",\"countryOrRegion\":");
            Json.str(sb, country);
            sb.append(",\"geoCoordinates\":{\"latitude\":").append(Double.toString(lat)).append(",\"longitude\":")
                    .append(Double.toString(lon));
            sb.append("},\"state\":");
            Json.str(sb, state);
            sb.append('}');
            return new Place(city, state, country, lat, lon, sb.toString(), sb.toByteArray());
        }
    }

    /** A client application (appId + name) and the resources it typically asks tokens for. */
    static final class App {
        final String id;
        final String name;
        final String clientAppUsed;
        final String[] resourceNames;
        final String[] resourceIds;
        final byte[] quotedName;

        App(String id, String name, String clientAppUsed, String... resources) {
            this.id = id;
            this.name = name;
            this.clientAppUsed = clientAppUsed;
            this.resourceNames = new String[resources.length / 2];
            this.resourceIds = new String[resources.length / 2];
            for (int i = 0; i < resources.length / 2; i++) {
                resourceNames[i] = resources[2 * i];
                resourceIds[i] = resources[2 * i + 1];
            }
            this.quotedName = Json.quoteBytes(name);
        }
    }

    static final class Device {
        final byte[] detailJson;
        final String userAgent;
        final boolean mobile;

        Device(byte[] detailJson, String userAgent, boolean mobile) {
            this.detailJson = detailJson;
            this.userAgent = userAgent;
            this.mobile = mobile;
        }
    }

    static final class User {
        final int index;
        /** Canonical lower-case UPN. */
        final String upn;
        /** The UPN as the directory stores it (sometimes capitalised). */
        final String upnStored;
        final String displayName;
        final String userId;
        final boolean guest;
        final String homeTenantId;
        final App[] apps;
        final Device[] devices;
        final Ip homeIp;
        final Ip mobileIp;
        /** The same UPN spelt with other capitals (as users sometimes type it). */
        final String upnVariant;
        boolean stale;
        App staleApp;
        boolean ssoBroken;

        User(int index, String upn, String upnStored, String displayName, String userId, boolean guest,
                String homeTenantId, App[] apps, Device[] devices, Ip homeIp, Ip mobileIp) {
            this.index = index;
            this.upn = upn;
            this.upnStored = upnStored;
            this.displayName = displayName;
            this.userId = userId;
            this.guest = guest;
            this.homeTenantId = homeTenantId;
            this.apps = apps;
            this.devices = devices;
            this.homeIp = homeIp;
            this.mobileIp = mobileIp;
            this.upnVariant = AttackPlanner.caseVariant(upnStored, index);
        }
    }

    /** A service principal or managed identity. */
    static final class Principal {
        final String appId;
        final String spId;
        final String name;
        final String credentialKeyId;
        final String resourceName;
        final String resourceId;
        final Ip ip;
        final boolean managed;
        final String msiType;
        final String associatedResourceId;

        Principal(String appId, String spId, String name, String credentialKeyId, String resourceName,
                String resourceId, Ip ip, boolean managed, String msiType, String associatedResourceId) {
            this.appId = appId;
            this.spId = spId;
            this.name = name;
            this.credentialKeyId = credentialKeyId;
            this.resourceName = resourceName;
            this.resourceId = resourceId;
            this.ip = ip;
            this.managed = managed;
            this.msiType = msiType;
            this.associatedResourceId = associatedResourceId;
        }
    }

    static final class Tenant {
        final int index;
        final String id;
        final String domain;
        final User[] users;
        final Principal[] sps;
        final Principal[] mis;
        final Ip[] officeIps;
        /** appliedConditionalAccessPolicies arrays: some policies succeeded / none applied / one failed. */
        final byte[] caSuccess;
        final byte[] caNotApplied;
        final byte[] caFailure;
        final String resourceIdPath;
        final List<User> staleUsers = new ArrayList<>();
        final List<User> ssoBrokenUsers = new ArrayList<>();

        Tenant(int index, String id, String domain, User[] users, Principal[] sps, Principal[] mis, Ip[] officeIps,
                byte[] caSuccess, byte[] caNotApplied, byte[] caFailure) {
            this.index = index;
            this.id = id;
            this.domain = domain;
            this.users = users;
            this.sps = sps;
            this.mis = mis;
            this.officeIps = officeIps;
            this.caSuccess = caSuccess;
            this.caNotApplied = caNotApplied;
            this.caFailure = caFailure;
            this.resourceIdPath = "/tenants/" + id + "/providers/Microsoft.aadiam";
        }
    }

    // ------------------------------------------------------------------ static pools

    static final String R_EXO = "Office 365 Exchange Online";
    static final String R_EXO_ID = "00000002-0000-0ff1-ce00-000000000000";
    static final String R_GRAPH = "Microsoft Graph";
    static final String R_GRAPH_ID = "00000003-0000-0000-c000-000000000000";
    static final String R_SPO = "Office 365 SharePoint Online";
    static final String R_SPO_ID = "00000003-0000-0ff1-ce00-000000000000";
    static final String R_AAD = "Windows Azure Active Directory";
    static final String R_AAD_ID = "00000002-0000-0000-c000-000000000000";
    static final String R_ARM = "Windows Azure Service Management API";
    static final String R_ARM_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
    static final String R_TEAMS = "Microsoft Teams Services";
    static final String R_TEAMS_ID = "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe";
    static final String R_KV = "Azure Key Vault";
    static final String R_KV_ID = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093";
    static final String R_STORAGE = "Azure Storage";
    static final String R_STORAGE_ID = "e406a681-f3d4-42a8-90b6-c2b029497af1";

    private static final String MOBILE_DESKTOP = "Mobile Apps and Desktop clients";

    /** Applications of ordinary background traffic. */
    static final App[] BACKGROUND_APPS = {
        new App("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams", MOBILE_DESKTOP,
                R_TEAMS, R_TEAMS_ID, R_GRAPH, R_GRAPH_ID, R_SPO, R_SPO_ID),
        new App("d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office", MOBILE_DESKTOP,
                R_EXO, R_EXO_ID, R_GRAPH, R_GRAPH_ID, R_SPO, R_SPO_ID),
        new App("27922004-5251-4030-b22d-91ecd9a37ea4", "Outlook Mobile", MOBILE_DESKTOP,
                R_EXO, R_EXO_ID, R_GRAPH, R_GRAPH_ID),
        new App("ab9b8c07-8f02-4f72-87fa-80105867a763", "OneDrive SyncEngine", MOBILE_DESKTOP,
                R_SPO, R_SPO_ID, R_GRAPH, R_GRAPH_ID),
        new App("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online", MOBILE_DESKTOP,
                R_EXO, R_EXO_ID, R_GRAPH, R_GRAPH_ID),
        new App("ecd6b820-32c2-49b6-98a6-444530e5a77a", "Microsoft Edge", "Browser",
                R_GRAPH, R_GRAPH_ID, R_EXO, R_EXO_ID),
        new App("4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome", "Browser",
                R_GRAPH, R_GRAPH_ID, R_SPO, R_SPO_ID),
        new App("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal", "Browser",
                R_ARM, R_ARM_ID, R_GRAPH, R_GRAPH_ID),
        new App("29d9ed98-a469-4536-ade2-f981bc1d605e", "Microsoft Authentication Broker", MOBILE_DESKTOP,
                R_AAD, R_AAD_ID, R_GRAPH, R_GRAPH_ID),
        new App("38aa3b87-a06d-4817-b275-7a316988d93b", "Windows Sign In", MOBILE_DESKTOP,
                R_AAD, R_AAD_ID),
        new App("08e18876-6177-487e-b8b5-cf950c1e598c", "SharePoint Online Web Client Extensibility", "Browser",
                R_SPO, R_SPO_ID, R_GRAPH, R_GRAPH_ID),
        new App("9ba1a5c7-f17a-4de9-a1f1-6178c8d51223", "Microsoft Intune Company Portal", MOBILE_DESKTOP,
                R_GRAPH, R_GRAPH_ID, R_AAD, R_AAD_ID),
        new App("7f67af8a-fedc-4b08-8b4e-37c4d127b6cf", "Power BI Desktop", MOBILE_DESKTOP,
                R_GRAPH, R_GRAPH_ID),
        new App("22098786-6e16-43cc-a27d-191a01a1e3b5", "Microsoft To-Do client", MOBILE_DESKTOP,
                R_EXO, R_EXO_ID, R_GRAPH, R_GRAPH_ID),
        new App("74658136-14ec-4630-ad9b-26e160ff0fc6", "ADIbizaUX", "Browser",
                R_GRAPH, R_GRAPH_ID, R_ARM, R_ARM_ID),
        new App("19db86c3-b2b9-44cc-b339-36da233a3be2", "My Signins", "Browser",
                R_GRAPH, R_GRAPH_ID),
        new App("57336123-6e14-4acc-8dcf-287b6088aa28", "Microsoft Whiteboard Client", MOBILE_DESKTOP,
                R_GRAPH, R_GRAPH_ID),
    };
    /** Relative weights of {@link #BACKGROUND_APPS} when users pick their apps. */
    private static final int[] APP_WEIGHTS = {30, 28, 12, 20, 14, 10, 12, 4, 10, 10, 4, 3, 2, 3, 2, 2, 1};

    /** Applications used only by planted attacks: never seen in background traffic. */
    static final App[] ATTACK_APPS = {
        new App("04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI", MOBILE_DESKTOP,
                R_ARM, R_ARM_ID, R_GRAPH, R_GRAPH_ID),
        new App("1950a258-227b-4e31-a9cf-717495945fc2", "Microsoft Azure PowerShell", MOBILE_DESKTOP,
                R_ARM, R_ARM_ID),
        new App("1b730954-1685-4b74-9bfa-a8e3ec3bd5fb", "Azure Active Directory PowerShell", MOBILE_DESKTOP,
                R_AAD, R_AAD_ID),
        new App("14d82eec-204b-4c2f-b7e8-296a70dab67e", "Microsoft Graph Command Line Tools", MOBILE_DESKTOP,
                R_GRAPH, R_GRAPH_ID),
        new App("872cd9fa-d31f-45e0-9eab-6e460a02d1f1", "Visual Studio - Legacy", MOBILE_DESKTOP,
                R_ARM, R_ARM_ID),
        new App("cf36b471-5b44-428c-9ce7-313bf84528de", "Microsoft Bing Search", MOBILE_DESKTOP,
                R_GRAPH, R_GRAPH_ID),
        new App("268761a2-03f3-40df-8a8b-c3db24145b6b", "Universal Store Native Client", MOBILE_DESKTOP,
                R_AAD, R_AAD_ID),
        new App("26a7ee05-5602-4d76-a7ba-eae8b7b67941", "Windows Search", MOBILE_DESKTOP,
                R_GRAPH, R_GRAPH_ID),
        new App("4813382a-8fa7-425e-ab75-3b753aab3abb", "Microsoft Authenticator App", MOBILE_DESKTOP,
                R_AAD, R_AAD_ID),
    };

    private static final Place[] PLACES_US = {
        Place.of("Seattle", "Washington", "US", 47.6062, -122.3321),
        Place.of("Redmond", "Washington", "US", 47.674, -122.1215),
        Place.of("New York", "New York", "US", 40.7128, -74.006),
        Place.of("Chicago", "Illinois", "US", 41.8781, -87.6298),
        Place.of("Austin", "Texas", "US", 30.2672, -97.7431),
        Place.of("Atlanta", "Georgia", "US", 33.749, -84.388),
    };
    private static final Place[] PLACES_DE = {
        Place.of("Hannover", "Niedersachsen", "DE", 52.37052, 9.73322),
        Place.of("München", "Bayern", "DE", 48.13743, 11.57549),
        Place.of("Berlin", "Berlin", "DE", 52.52437, 13.41053),
        Place.of("Frankfurt am Main", "Hessen", "DE", 50.11552, 8.68417),
    };
    private static final Place[] PLACES_FR = {
        Place.of("Paris", "Île-de-France", "FR", 48.85341, 2.3488),
        Place.of("Lyon", "Auvergne-Rhône-Alpes", "FR", 45.74846, 4.84671),
        Place.of("Champs-Sur-Marne", "Seine-Et-Marne", "FR", 48.85277, 2.60288),
    };
    private static final Place[] PLACES_GB = {
        Place.of("London", "England", "GB", 51.50853, -0.12574),
        Place.of("Manchester", "England", "GB", 53.48095, -2.23743),
    };
    private static final Place[] PLACES_IN = {
        Place.of("Hyderabad", "Telangana", "IN", 17.385000228881836, 78.48670196533203),
        Place.of("Bengaluru", "Karnataka", "IN", 12.97194, 77.59369),
        Place.of("Nizampet", "Telangana", "IN", 17.5164794921875, 78.37663269042969),
    };
    private static final Place[] PLACES_AU = {
        Place.of("Sydney", "New South Wales", "AU", -33.86785, 151.20732),
        Place.of("Melbourne", "Victoria", "AU", -37.814, 144.96332),
    };
    private static final Place[] PLACES_NL = {Place.of("Amsterdam", "Noord-Holland", "NL", 52.37403, 4.88969)};
    private static final Place[] PLACES_BR = {Place.of("São Paulo", "São Paulo", "BR", -23.5475, -46.63611)};
    private static final Place[] PLACES_JP = {Place.of("Tokyo", "Tokyo", "JP", 35.6895, 139.69171)};

    /** ISP: ASN, IPv4 prefixes (first two octets), optional IPv6 prefix, places. */
    record Isp(int asn, String[] v4, String v6, Place[] places) {}

    private static final Isp[] ISPS = {
        new Isp(7922, new String[] {"73.158.", "98.207.", "24.6."}, "2601:600:", PLACES_US),
        new Isp(7018, new String[] {"99.104.", "107.194."}, null, PLACES_US),
        new Isp(701, new String[] {"71.181.", "96.242."}, null, PLACES_US),
        new Isp(21928, new String[] {"172.58.", "172.56."}, "2607:fb90:", PLACES_US),
        new Isp(3320, new String[] {"91.64.", "79.216.", "93.212."}, "2003:e6:", PLACES_DE),
        new Isp(3209, new String[] {"88.70.", "94.134."}, null, PLACES_DE),
        new Isp(3215, new String[] {"90.84.", "86.246."}, "2a01:cb00:", PLACES_FR),
        new Isp(12322, new String[] {"82.64.", "88.160."}, null, PLACES_FR),
        new Isp(2856, new String[] {"81.129.", "86.160."}, null, PLACES_GB),
        new Isp(5089, new String[] {"82.38.", "86.2."}, null, PLACES_GB),
        new Isp(55836, new String[] {"49.36.", "157.35."}, "2409:4070:", PLACES_IN),
        new Isp(24560, new String[] {"122.171.", "106.51."}, null, PLACES_IN),
        new Isp(1221, new String[] {"1.128.", "120.21."}, null, PLACES_AU),
        new Isp(1136, new String[] {"77.160.", "84.104."}, null, PLACES_NL),
        new Isp(28573, new String[] {"177.33.", "189.6."}, null, PLACES_BR),
        new Isp(4713, new String[] {"153.206.", "180.4."}, null, PLACES_JP),
    };
    /** Corporate egress providers (business lines). */
    private static final Isp[] CORPORATE = {
        new Isp(3320, new String[] {"217.6.", "62.153."}, null, PLACES_DE),
        new Isp(7018, new String[] {"12.161.", "12.226."}, null, PLACES_US),
        new Isp(3356, new String[] {"4.14.", "8.42."}, null, PLACES_US),
        new Isp(2856, new String[] {"194.72.", "212.140."}, null, PLACES_GB),
        new Isp(1136, new String[] {"145.7.", "195.240."}, null, PLACES_NL),
        new Isp(3215, new String[] {"193.248.", "81.80."}, null, PLACES_FR),
    };
    private static final Place[] AZURE_REGIONS = {
        Place.of("Amsterdam", "Noord-Holland", "NL", 52.37403, 4.88969),
        Place.of("Dublin", "Dublin", "IE", 53.33306, -6.24889),
        Place.of("Boydton", "Virginia", "US", 36.66764, -78.38751),
        Place.of("San Antonio", "Texas", "US", 29.42412, -98.49363),
    };
    /** Microsoft's own addresses (ASN 8075) as seen in background traffic. */
    private static final Isp MICROSOFT = new Isp(8075,
            new String[] {"40.126.", "20.190.", "52.97.", "40.99.", "13.107."}, "2603:10a6:", AZURE_REGIONS);
    private static final Isp[] OTHER_CLOUDS = {
        new Isp(16509, new String[] {"3.120.", "18.194."}, null, PLACES_DE),
        new Isp(15169, new String[] {"34.141.", "35.246."}, null, PLACES_NL),
    };
    /** Attacker infrastructure: hosting providers, never used by background traffic. */
    static final Isp[] ATTACKER = {
        new Isp(14061, new String[] {"104.248.", "167.99."}, null, PLACES_NL),
        new Isp(16276, new String[] {"51.75.", "146.59."}, null, PLACES_FR),
        new Isp(9009, new String[] {"45.153.", "193.27."}, null, PLACES_GB),
        new Isp(24940, new String[] {"95.216.", "65.108."}, null, PLACES_DE),
        new Isp(20473, new String[] {"45.77.", "149.28."}, null, PLACES_JP),
        new Isp(60729, new String[] {"185.220."}, null, PLACES_DE),
    };
    /** Microsoft-hosted attacker infrastructure (Azure VMs): ASN 8075, but not the background prefixes. */
    static final Isp ATTACKER_AZURE = new Isp(8075, new String[] {"20.106.", "4.227.", "172.191."}, null, AZURE_REGIONS);

    private static final String[] FIRST = {
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
        "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
        "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley", "Lukas", "Anna", "Jonas",
        "Lea", "Felix", "Hannah", "Jürgen", "Sophie", "Lucas", "Camille", "Hugo", "Chloé", "Arjun", "Priya",
        "Rahul", "Ananya", "Wei", "Mei", "Hiroshi", "Yuki", "Olivia", "Noah", "Emma", "Liam", "Ava", "Mateo",
        "Isabella", "Santiago", "Valentina", "Aisha", "Omar", "Fatima", "Sven", "Ingrid", "Pieter", "Femke",
    };
    private static final String[] LAST = {
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee",
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Moreau",
        "Laurent", "Lefèvre", "Patel", "Sharma", "Reddy", "Iyer", "Wang", "Chen", "Tanaka", "Suzuki", "Silva",
        "Santos", "Oliveira", "de Vries", "Jansen", "Bakker", "O'Brien", "Murphy", "Kowalski", "Nowak",
        "Andersson", "Johansson", "Nielsen", "Hansen", "Rossi", "Bianchi", "Khan", "Ali", "Nguyen", "Kim",
    };
    private static final String[] DOMAINS = {
        "contoso.com", "fabrikam.com", "northwindtraders.de", "tailspintoys.com", "woodgrovebank.com",
        "adatum.com", "litwareinc.com", "wingtiptoys.co.uk", "proseware.fr", "lucernepublishing.com",
        "fourthcoffee.com", "alpineskihouse.com", "relecloud.com", "trey-research.net", "margiestravel.com",
    };
    private static final String[] SP_NAMES = {
        "Terraform-Prod", "Datadog-Azure-Integration", "ServiceNow-Connector", "Veeam-Backup-Azure",
        "GitHub-Actions-Deploy", "AzureDevOps-Pipeline-Prod", "Splunk Add-on for Microsoft Cloud Services",
        "Jenkins-CI", "HR-Sync-Workday", "Okta-Provisioning", "Salesforce-Connector", "Grafana-Monitor",
        "Ansible-Automation", "MDATPNetworkScanAgent", "Backup-Job-Nightly", "Intune-Reporting-Export",
    };
    private static final String[] MI_NAMES = {
        "func-orders-prod", "vm-build-agent-01", "logic-invoice-sync", "aks-agentpool", "adf-ingest-prod",
        "app-portal-prod", "func-thumbnailer", "vmss-batch-workers", "apim-gateway-prod", "sql-auditing-mi",
    };
    private static final String[][] SP_RESOURCES = {
        {R_GRAPH, R_GRAPH_ID}, {R_ARM, R_ARM_ID}, {R_KV, R_KV_ID}, {R_STORAGE, R_STORAGE_ID}, {R_EXO, R_EXO_ID},
    };
    private static final String[][] CA_POLICIES = {
        {"01 - Require MFA for all users", "Mfa"},
        {"02 - Block legacy authentication", "Block"},
        {"03 - Require compliant or hybrid joined device", "RequireCompliantDevice"},
        {"04 - Require MFA for admins", "Mfa"},
        {"05 - MFA für Gäste", "Mfa"},
        {"06 - Block access from untrusted countries", "Block"},
        {"07 - Sign-in frequency 12h on unmanaged devices", ""},
        {"08 - Require app protection policy on mobile", "RequireCompliantApp"},
        {"09 - Require MFA for Azure management", "Mfa"},
        {"10 - Block high user risk", "Block"},
        {"11 - Require password change for high risk users", "PasswordChange"},
        {"12 - Require terms of use", "ToU"},
        {"CA001-Global-BaseProtection-AllApps-AnyPlatform-BlockNonPersonas", "Block"},
        {"CA100-Admins-IdentityProtection-AllApps-AnyPlatform-MFA", "Mfa"},
        {"CA200-Internals-BaseProtection-AllApps-Windows-CompliantorAADHJ", "RequireDomainJoinedDevice"},
    };

    final Tenant[] tenants;
    /** Microsoft (ASN 8075) addresses background non-interactive sign-ins come from. */
    final Ip[] microsoftPool;

    World(long seed, int tenantCount, int usersPerTenant) {
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        tenants = new Tenant[tenantCount];
        for (int t = 0; t < tenantCount; t++) {
            tenants[t] = buildTenant(t, usersPerTenant, rnd.split());
        }
        microsoftPool = new Ip[64];
        for (int i = 0; i < microsoftPool.length; i++) microsoftPool[i] = microsoftIp(rnd);
    }

    static String guid(SplittableRandom r) {
        return Json.uuid(r.nextLong(), r.nextLong());
    }

    static Ip ipFrom(Isp isp, SplittableRandom r, boolean allowV6) {
        Place place = isp.places[r.nextInt(isp.places.length)];
        String address;
        if (allowV6 && isp.v6 != null && r.nextInt(4) == 0) {
            address = isp.v6 + Integer.toHexString(r.nextInt(0x10000)) + ":" + Integer.toHexString(r.nextInt(0x10000))
                    + "::" + Integer.toHexString(1 + r.nextInt(0xFFFF));
        } else {
            address = isp.v4[r.nextInt(isp.v4.length)] + r.nextInt(256) + "." + (1 + r.nextInt(254));
        }
        return new Ip(address, isp.asn, place);
    }

    /** A fresh address of Microsoft's ASN 8075 as background traffic uses it. */
    static Ip microsoftIp(SplittableRandom r) {
        return ipFrom(MICROSOFT, r, true);
    }

    private Tenant buildTenant(int t, int userCount, SplittableRandom r) {
        String id = guid(r);
        String domain = t < DOMAINS.length ? DOMAINS[t] : "tenant" + t + ".onmicrosoft.com";
        Isp corp = CORPORATE[r.nextInt(CORPORATE.length)];
        Ip[] office = new Ip[1 + r.nextInt(3)];
        for (int i = 0; i < office.length; i++) office[i] = ipFrom(corp, r, false);
        Isp homeRegion = pickHomeIsp(corp, r);

        User[] users = new User[userCount];
        Set<String> seen = new HashSet<>();
        int appWeightSum = 0;
        for (int w : APP_WEIGHTS) appWeightSum += w;
        for (int u = 0; u < userCount; u++) {
            String first = FIRST[r.nextInt(FIRST.length)];
            String last = LAST[r.nextInt(LAST.length)];
            boolean guest = r.nextInt(100) < 3;
            String local = ascii(first) + "." + ascii(last).replace(" ", "").replace("'", "");
            String base = local;
            for (int n = 2; !seen.add(base.toLowerCase(Locale.ROOT)); n++) base = local + n;
            String upnStored;
            String homeTenant = id;
            if (guest) {
                String ext = base + "_" + (r.nextBoolean() ? "gmail.com" : "outlook.com");
                upnStored = ext.toLowerCase(Locale.ROOT) + "#EXT#@" + domain.replace('.', '-') + ".onmicrosoft.com";
                homeTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"; // the Microsoft account tenant
            } else {
                String lower = base.toLowerCase(Locale.ROOT) + "@" + domain;
                upnStored = r.nextInt(100) < 15 ? base + "@" + capitalise(domain) : lower;
            }
            int appCount = 3 + r.nextInt(7);
            List<App> apps = new ArrayList<>(appCount);
            for (int guard = 0; apps.size() < appCount && guard < 100; guard++) {
                int x = r.nextInt(appWeightSum);
                int k = 0;
                while (x >= APP_WEIGHTS[k]) x -= APP_WEIGHTS[k++];
                if (!apps.contains(BACKGROUND_APPS[k])) apps.add(BACKGROUND_APPS[k]);
            }
            Device[] devices = new Device[1 + r.nextInt(3)];
            for (int d = 0; d < devices.length; d++) devices[d] = device(d, r);
            Isp isp = r.nextInt(100) < 75 ? homeRegion : ISPS[r.nextInt(ISPS.length)];
            Ip home = ipFrom(isp, r, true);
            Ip mobile = ipFrom(ISPS[r.nextInt(ISPS.length)], r, true);
            users[u] = new User(u, upnStored.toLowerCase(Locale.ROOT), upnStored, first + " " + last, guid(r), guest,
                    homeTenant, apps.toArray(new App[0]), devices, home, mobile);
        }

        Principal[] sps = new Principal[4 + r.nextInt(10)];
        for (int i = 0; i < sps.length; i++) {
            String[] res = SP_RESOURCES[r.nextInt(SP_RESOURCES.length)];
            int where = r.nextInt(100);
            Ip ip = where < 60 ? microsoftIp(r) : where < 85 ? office[r.nextInt(office.length)]
                    : ipFrom(OTHER_CLOUDS[r.nextInt(OTHER_CLOUDS.length)], r, false);
            sps[i] = new Principal(guid(r), guid(r), SP_NAMES[(i + t) % SP_NAMES.length] + (i >= SP_NAMES.length ? "-" + i : ""),
                    guid(r), res[0], res[1], ip, false, null, null);
        }
        String sub = guid(r);
        Principal[] mis = new Principal[2 + r.nextInt(8)];
        for (int i = 0; i < mis.length; i++) {
            String[] res = SP_RESOURCES[r.nextInt(4)];
            String name = MI_NAMES[(i + 3 * t) % MI_NAMES.length] + (i >= MI_NAMES.length ? "-" + i : "");
            boolean system = r.nextInt(3) != 0;
            String provider = name.startsWith("func") || name.startsWith("app") ? "Microsoft.Web/sites"
                    : name.startsWith("vm") ? "Microsoft.Compute/virtualMachines"
                    : name.startsWith("logic") ? "Microsoft.Logic/workflows" : "Microsoft.ManagedIdentity/userAssignedIdentities";
            String assoc = "/subscriptions/" + sub + "/resourceGroups/rg-" + name.split("-")[0] + "-prod/providers/" + provider
                    + "/" + name;
            mis[i] = new Principal(guid(r), guid(r), name, null, res[0], res[1], microsoftIp(r), true,
                    system ? "systemAssigned" : "userAssigned", assoc);
        }
        Tenant tenant = new Tenant(t, id, domain, users, sps, mis, office,
                caPolicies(r, 1), caPolicies(r, 0), caPolicies(r, 2));
        // Stale-credential users (bursts of failures) and users with broken Seamless SSO.
        int stale = Math.max(1, Math.min(8, userCount / 100));
        for (int i = 0; i < stale; i++) {
            User u = users[r.nextInt(userCount)];
            if (u.stale || u.guest) continue;
            u.stale = true;
            u.staleApp = u.apps[r.nextInt(u.apps.length)];
            tenant.staleUsers.add(u);
        }
        for (int i = 0; i < 3; i++) {
            User u = users[r.nextInt(userCount)];
            if (u.ssoBroken || u.guest) continue;
            u.ssoBroken = true;
            tenant.ssoBrokenUsers.add(u);
        }
        return tenant;
    }

    private static Isp pickHomeIsp(Isp corp, SplittableRandom r) {
        String country = corp.places[0].country;
        List<Isp> same = new ArrayList<>();
        for (Isp i : ISPS) if (i.places[0].country.equals(country)) same.add(i);
        return same.isEmpty() ? ISPS[r.nextInt(ISPS.length)] : same.get(r.nextInt(same.size()));
    }

    private static String ascii(String s) {
        return s.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("é", "e").replace("è", "e");
    }

    private static String capitalise(String domain) {
        return Character.toUpperCase(domain.charAt(0)) + domain.substring(1);
    }

    /** Interned device texts: most devices share their user agent and (without a deviceId) their details. */
    private final java.util.Map<String, String> agents = new java.util.HashMap<>();
    private final java.util.Map<String, byte[]> details = new java.util.HashMap<>();

    private Device device(int d, SplittableRandom r) {
        int kind = d == 0 ? r.nextInt(4) : 4 + r.nextInt(3);
        StringBuilder sb = new StringBuilder(220);
        String ua;
        boolean mobile = false;
        String deviceId = kind <= 2 ? guid(r) : "";
        switch (kind) {
            case 0, 1 -> {
                int edge = 128 + r.nextInt(8);
                ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + edge
                        + ".0.0.0 Safari/537.36 Edg/" + edge + ".0." + (2000 + r.nextInt(900)) + "." + r.nextInt(120);
                sb.append("{\"browser\":\"Edge ").append(edge).append(".0.0\",\"deviceId\":\"").append(deviceId)
                        .append("\",\"displayName\":\"").append(kind == 0 ? "DESKTOP-" : "LT-").append(Long.toString(r.nextLong(36L * 36 * 36 * 36 * 36 * 36 * 36), 36).toUpperCase(Locale.ROOT))
                        .append("\",\"isCompliant\":true,\"isManaged\":true,\"operatingSystem\":\"Windows10\",\"trustType\":\"")
                        .append(kind == 0 ? "Hybrid Azure AD joined" : "Azure AD joined").append("\"}");
            }
            case 2 -> {
                int chrome = 128 + r.nextInt(8);
                ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome
                        + ".0.0.0 Safari/537.36";
                sb.append("{\"browser\":\"Chrome ").append(chrome).append(".0.0\",\"deviceId\":\"").append(deviceId)
                        .append("\",\"displayName\":\"MacBook-Pro\",\"isCompliant\":true,\"isManaged\":true,\"operatingSystem\":\"MacOs\",\"trustType\":\"Azure AD registered\"}");
            }
            case 3 -> {
                ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
                sb.append("{\"browser\":\"Chrome 131.0.0\",\"deviceId\":\"\",\"operatingSystem\":\"Windows10\"}");
            }
            case 4 -> {
                mobile = true;
                int ios = 17 + r.nextInt(2);
                ua = "Mozilla/5.0 (iPhone; CPU iPhone OS " + ios + "_" + r.nextInt(7) + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
                sb.append("{\"browser\":\"Mobile Safari\",\"deviceId\":\"\",\"operatingSystem\":\"Ios\"}");
            }
            case 5 -> {
                mobile = true;
                ua = "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
                sb.append("{\"browser\":\"Chrome Mobile 131.0.0\",\"deviceId\":\"\",\"operatingSystem\":\"Android\"}");
            }
            default -> {
                ua = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0." + (17000 + r.nextInt(1500)) + "; Pro)";
                sb.append("{\"browser\":\"Rich Client 4.").append(60 + r.nextInt(10)).append(".0.0\",\"deviceId\":\"\",\"operatingSystem\":\"Windows10\"}");
            }
        }
        String detail = sb.toString();
        byte[] detailBytes = deviceId.isEmpty() ? details.computeIfAbsent(detail, k -> k.getBytes(StandardCharsets.UTF_8))
                : detail.getBytes(StandardCharsets.UTF_8);
        return new Device(detailBytes, ua == null ? null : agents.computeIfAbsent(ua, k -> k), mobile);
    }

    /** An appliedConditionalAccessPolicies array; mode 0: none applied, 1: some succeeded, 2: one failed. */
    private static byte[] caPolicies(SplittableRandom r, int mode) {
        int n = 3 + r.nextInt(10);
        ByteSink sb = new ByteSink(300 * n);
        sb.append('[');
        int start = r.nextInt(CA_POLICIES.length);
        for (int i = 0; i < n; i++) {
            String[] p = CA_POLICIES[(start + i) % CA_POLICIES.length];
            if (i > 0) sb.append(',');
            String result = switch (mode) {
                case 1 -> i % 3 == 0 ? "success" : i % 3 == 1 ? "notApplied" : "reportOnlyNotApplied";
                case 2 -> i == 0 ? "failure" : "notApplied";
                default -> i % 4 == 3 ? "reportOnlyNotApplied" : "notApplied";
            };
            int sat = r.nextInt(20);
            sb.append("{\"conditionsNotSatisfied\":").append(result.equals("success") ? 0 : 1 + r.nextInt(16))
                    .append(",\"conditionsSatisfied\":").append(sat)
                    .append(",\"displayName\":");
            Json.str(sb, p[0]);
            sb.append(",\"enforcedGrantControls\":[");
            if (!p[1].isEmpty()) sb.append('"').append(p[1]).append('"');
            sb.append("],\"enforcedSessionControls\":[");
            if (p[1].isEmpty()) sb.append("\"SignInFrequency\"");
            sb.append("],\"id\":\"").append(guid(r)).append("\",\"result\":\"").append(result).append("\"}");
        }
        sb.append(']');
        return sb.toByteArray();
    }
}
