"""Words the sample company is written in: places, names, titles, subjects (English and
Japanese)."""

from __future__ import annotations

REGIONS = ("North America", "EMEA", "APAC", "LATAM")

# country, region index, weight, legal-form suffix, local currency (when not USD)
COUNTRIES = (
    ("United States", 0, 40, "Inc.", None),
    ("Canada", 0, 4, "Ltd.", None),
    ("United Kingdom", 1, 8, "Ltd", "GBP"),
    ("Germany", 1, 7, "GmbH", "EUR"),
    ("France", 1, 5, "SAS", "EUR"),
    ("Netherlands", 1, 2, "B.V.", "EUR"),
    ("Sweden", 1, 2, "AB", None),
    ("Spain", 1, 2, "S.L.", "EUR"),
    ("Japan", 2, 14, "株式会社", "JPY"),
    ("Australia", 2, 4, "Pty Ltd", None),
    ("Singapore", 2, 2, "Pte. Ltd.", None),
    ("India", 2, 3, "Pvt. Ltd.", None),
    ("Brazil", 3, 5, "Ltda.", None),
    ("Mexico", 3, 2, "S.A. de C.V.", None),
)
JAPAN = [c[0] for c in COUNTRIES].index("Japan")

INDUSTRIES = (
    "Software", "Manufacturing", "Financial Services", "Healthcare", "Retail",
    "Logistics", "Professional Services", "Telecommunications", "Education", "Energy",
    "Media", "Public Sector",
)
INDUSTRY_WEIGHTS = (14, 14, 10, 9, 9, 8, 9, 6, 5, 5, 5, 6)

NAME_LEADS = (
    "", "North", "Global", "United", "First", "Pacific", "Atlantic", "Digital",
    "Advanced", "Central", "Metro", "Prime", "Nova", "Allied", "Coastal", "Royal",
)
NAME_CORES = (
    "Northwind", "Blue Harbor", "Summit", "Redwood", "Silverline", "Ironbridge",
    "Brightpath", "Cedar", "Lakeshore", "Pioneer", "Granite", "Evergreen", "Horizon",
    "Atlas", "Beacon", "Crescent", "Falcon", "Keystone", "Meridian", "Orion", "Pinnacle",
    "Quantum", "Riverstone", "Sterling", "Trinity", "Vanguard", "Westfield", "Apex",
    "Bluebird", "Copperleaf", "Driftwood", "Elmstead", "Foxglove", "Goldcrest", "Highgate",
    "Juniper", "Kingsway", "Larkspur", "Maple", "Oakridge",
)
NAME_TRADES = (
    "Systems", "Logistics", "Health", "Foods", "Energy", "Capital", "Labs",
    "Manufacturing", "Retail", "Media", "Software", "Analytics", "Partners", "Industries",
    "Networks", "Solutions", "Pharma", "Motors", "Telecom", "Engineering", "Insurance",
    "Materials", "Robotics", "Consulting", "Foods Group",
)
# Japanese company names: (kanji/kana, romaji for the domain)
JA_NAME_CORES = (
    ("さくら", "sakura"), ("富士", "fuji"), ("大和", "yamato"), ("東洋", "toyo"),
    ("日本", "nihon"), ("新光", "shinko"), ("明和", "meiwa"), ("昭和", "showa"),
    ("青葉", "aoba"), ("光陽", "koyo"), ("北斗", "hokuto"), ("中央", "chuo"),
    ("第一", "daiichi"), ("太平洋", "taiheiyo"), ("みらい", "mirai"), ("アサヒ", "asahi"),
    ("ミナト", "minato"), ("トウカイ", "tokai"), ("ニシキ", "nishiki"), ("ひかり", "hikari"),
)
JA_NAME_TRADES = (
    ("製作所", "seisakusho"), ("電機", "denki"), ("物流", "butsuryu"), ("商事", "shoji"),
    ("システムズ", "systems"), ("ソフトウェア", "software"), ("化学", "kagaku"),
    ("工業", "kogyo"), ("建設", "kensetsu"), ("食品", "shokuhin"), ("薬品", "yakuhin"),
    ("証券", "shoken"), ("不動産", "fudosan"), ("通信", "tsushin"), ("エネルギー", "energy"),
)

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
    "Thomas", "Sarah", "Daniel", "Karen", "Matthew", "Nancy", "Anthony", "Lisa", "Mark",
    "Emma", "Lucas", "Sofia", "Liam", "Olivia", "Noah", "Mia", "Priya", "Arjun", "Chloe",
    "Mateo", "Camila", "Hannah", "Felix", "Ingrid",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas",
    "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams",
    "Nelson", "Hill", "Müller", "Schmidt", "Dubois", "Lindqvist",
)
# (kanji, romaji)
JA_FAMILY_NAMES = (
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
    ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
    ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"),
    ("佐々木", "sasaki"), ("山口", "yamaguchi"), ("松本", "matsumoto"), ("井上", "inoue"),
    ("木村", "kimura"), ("林", "hayashi"), ("清水", "shimizu"), ("森", "mori"),
)
JA_GIVEN_NAMES = (
    ("健", "ken"), ("翔", "sho"), ("大輔", "daisuke"), ("誠", "makoto"), ("拓也", "takuya"),
    ("直樹", "naoki"), ("陽子", "yoko"), ("美咲", "misaki"), ("恵", "megumi"),
    ("由美", "yumi"), ("愛", "ai"), ("花子", "hanako"), ("浩", "hiroshi"), ("隆", "takashi"),
    ("裕子", "yuko"), ("真由美", "mayumi"), ("健太", "kenta"), ("結衣", "yui"),
    ("蓮", "ren"), ("さくら", "sakura"),
)

# Contact title groups: persona (None: not a key player), English and Japanese titles.
# Some titles are written as real CRMs hold them (full-width or half-width characters,
# capitals, doubled spaces) and one names two key players, so matching titles to the
# built-in value map's personas (covermap value) is tested on the sample too.
TITLE_GROUPS = (
    ("economic_buyer", ("CFO", "VP of Finance", "Finance Director", "Head of Procurement"),
     ("経理部長", "財務担当役員", "ＣＦＯ", "経営企画部 部長")),
    ("technical_buyer", ("Plant Manager", "Ｐｒｏｄｕｃｔｉｏｎ　Ｍａｎａｇｅｒ", "IT Manager",
                         "Director of Engineering"),
     ("工場長", "製造部\u3000部長", "情報システム部 部長", "ﾌﾟﾗﾝﾄﾏﾈｰｼﾞｬｰ")),
    ("champion", ("VP of Sales", "PRODUCTION MANAGER", "Plant Manager / Maintenance Manager",
                  "Head of Customer Success"),
     ("営業部長", "生産管理部長", "工場長 兼 保全課長", "カスタマーサクセス部 部長")),
    ("end_user", ("Account Executive", "Maintenance  Engineer", "Customer Success Specialist",
                  "Marketing Specialist"),
     ("営業担当", "設備保全担当", "マーケティング担当", "営業部 主任")),
    ("executive_sponsor", ("CEO", "COO", "Chief Revenue Officer", "Managing Director"),
     ("代表取締役社長", "取締役 営業本部長", "常務取締役", "執行役員")),
    (None, ("Office Manager", "Executive Assistant", "Intern", "Analyst"),
     ("総務部 主任", "秘書", "アシスタント", "総務担当")),
)
TITLE_WEIGHTS = (15, 20, 20, 25, 8, 12)
DEAL_CONTACT_ROLES = (
    "Economic Buyer", "Technical Buyer", "Influencer", "Business User",
    "Executive Sponsor", "Other",
)
BUYING_ROLES = ("budget_holder", "technical_evaluator", "champion", "end_user",
                "decision_maker", None)

# Subjects per activity kind: (English, Japanese)
SUBJECTS = {
    "call": (("Intro call", "Follow-up call", "Discovery call", "Check-in call",
              "Pricing call", "Renewal call"),
             ("ご挨拶のお電話", "フォローアップのお電話", "ヒアリング", "定例確認のお電話",
              "お見積りのご相談", "更新のご相談")),
    "email": (("Following up", "Proposal attached", "Meeting recap", "Quick question",
               "Next steps", "Renewal terms"),
              ("ご提案書送付の件", "打ち合わせの御礼", "ご確認のお願い",
               "次回お打ち合わせについて", "お見積りの件", "契約更新のご案内")),
    "meeting": (("Discovery meeting", "Product demo", "Quarterly business review",
                 "Onboarding kickoff", "Solution workshop", "Executive briefing"),
                ("初回お打ち合わせ", "製品デモ", "定例ミーティング", "導入キックオフ",
                 "ソリューション検討会", "役員ご挨拶")),
    "visit": (("On-site visit", "Executive visit", "Site assessment", "Annual review on site"),
              ("ご訪問", "役員訪問", "現地調査", "年次レビュー（訪問）")),
    "marketing_email": (("Product update", "Customer story", "Event invitation",
                         "New feature announcement", "Industry report"),
                        ("製品アップデートのお知らせ", "導入事例のご紹介", "イベントのご案内",
                         "新機能のお知らせ", "業界レポート")),
    "webinar": (("Webinar: Getting started", "Webinar: Best practices",
                 "Webinar: Product roadmap", "Webinar: Industry trends"),
                ("ウェビナー：はじめての活用", "ウェビナー：ベストプラクティス",
                 "ウェビナー：製品ロードマップ", "ウェビナー：業界動向")),
    "newsletter": (("Monthly newsletter", "Quarterly newsletter"),
                   ("月刊ニュースレター", "季刊ニュースレター")),
    "note": (("Call notes", "Account plan update", "Internal note"),
             ("通話メモ", "アカウントプラン更新", "社内メモ")),
    "task": (("Send proposal", "Schedule follow-up", "Prepare QBR deck", "Update CRM"),
             ("提案書送付", "フォローアップ日程調整", "QBR資料準備", "CRM更新")),
}

OPEN_STAGES = ("Qualification", "Needs Analysis", "Proposal", "Negotiation")
CHANNELS = ("online", "inside_sales", "field_sales", "partner")
CONTENT_STAGES = ("Education", "Solution", "Selection", "Negotiation", "Relation")
