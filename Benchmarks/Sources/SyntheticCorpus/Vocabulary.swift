// Word lists for the six UN languages. The real words come first, roughly in order of
// frequency (function words, then the clearing house's domain words), followed by words
// synthesized from syllables with a fixed seed, so every vocabulary has a long Zipf tail.
// Nothing here depends on the user's seed: the vocabularies are the same in every corpus.

/// The vocabulary of one language.
public struct Vocabulary: Sendable {
    public let language: String
    /// Every word, most frequent first.
    public let words: [String]
    /// How many of the first `words` are function words (left out of titles and keywords).
    public let functionWordCount: Int
    /// Two-word expressions sometimes emitted together (so phrase queries have matches).
    public let collocations: [String]
    /// Whether words are written without spaces between them (Chinese).
    public let isLogographic: Bool

    let all: ZipfSampler
    let content: ZipfSampler

    init(
        language: String, function: String, content: String, synthesized: [String], collocations: [String] = [],
        isLogographic: Bool = false, exponent: Double = 1.0
    ) {
        var seen = Set<String>()
        var words: [String] = []
        for word in Self.split(function) where seen.insert(word).inserted { words.append(word) }
        let functionWordCount = words.count
        for word in Self.split(content) + synthesized where seen.insert(word).inserted { words.append(word) }
        self.language = language
        self.words = words
        self.functionWordCount = functionWordCount
        self.collocations = collocations
        self.isLogographic = isLogographic
        all = ZipfSampler(count: words.count, exponent: exponent)
        self.content = ZipfSampler(count: words.count - functionWordCount, exponent: exponent)
    }

    static func split(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }

    /// A word of running text (function words included).
    public func word(_ rng: inout SplitMix64) -> String {
        words[all.sample(&rng)]
    }

    /// A content word (no function words).
    public func contentWord(_ rng: inout SplitMix64) -> String {
        words[functionWordCount + content.sample(&rng)]
    }

    /// The vocabulary of `language` (`ar`, `en`, `es`, `fr`, `ru` or `zh`).
    public static func forLanguage(_ language: String) -> Vocabulary {
        switch language {
        case "en": english
        case "fr": french
        case "es": spanish
        case "ru": russian
        case "ar": arabic
        case "zh": chinese
        default: english
        }
    }

    public static let languages = ["en", "fr", "es", "ru", "ar", "zh"]

    // MARK: - Synthesis

    /// `count` distinct words of `syllables` syllables, each `onset + vowel + coda`.
    static func synthesize(
        count: Int, seed: UInt64, onsets: [String], vowels: [String], codas: [String],
        syllables: ClosedRange<Int>, prefixes: [String] = [""], suffixes: [String] = [""], avoiding: Set<String> = []
    ) -> [String] {
        var rng = SplitMix64(seed: seed)
        var seen = avoiding
        var words: [String] = []
        var attempts = 0
        while words.count < count, attempts < count * 50 {
            attempts += 1
            var word = rng.pick(prefixes)
            for _ in 0..<rng.int(in: syllables) {
                word += rng.pick(onsets) + rng.pick(vowels) + rng.pick(codas)
            }
            word += rng.pick(suffixes)
            if seen.insert(word).inserted { words.append(word) }
        }
        return words
    }

    // MARK: - English

    static let englishFunction = """
        the of and to in a for is on with by that as are from at this be was it an or which were have has \
        their its not also more these been can into between other than such but all new they each both over \
        through under after during about most some only
        """

    static let englishContent = """
        species forest community local water management conservation biodiversity restoration project area \
        land areas communities forests use production farmers national support development ecosystem ecosystems \
        data monitoring habitat climate change plants plant trees tree soil fish fisheries marine coastal river \
        rivers wetland wetlands mangrove mangroves coral reef reefs seed seeds bank banks network training \
        technical knowledge traditional indigenous women youth government policy programme program research \
        survey surveys sites site protected populations population native invasive pollinators bees birds \
        mammals insects amphibians grassland grasslands savanna drylands desert mountain mountains island \
        islands lake lakes ocean sea seagrass sediment erosion nursery nurseries seedlings planting agroforestry \
        agriculture agricultural crops crop livestock grazing pasture fire fires drought flood floods rainfall \
        irrigation groundwater catchment watershed carbon emissions sustainable sustainability income \
        livelihoods market markets value chain tourism ecotourism village villages households family families \
        school schools students teachers volunteers partners partnership cooperation funding finance investment \
        costs cost tools tool method methods approach approaches practice practices technology technologies \
        guide guidelines manual toolkit plan plans strategy strategies assessment evaluation results impact \
        impacts benefits benefit capacity building regional international global countries country ministry \
        agency authority organization organizations association cooperative university institute centre \
        laboratory genetic genetics dna edna sampling samples sample mapping maps map remote sensing satellite \
        drone drones camera traps acoustic citizen science observations records database platform mobile app \
        software indicators indicator targets target framework convention reporting report reports cases case \
        study studies lessons learned success challenges threats threat pressure pollution plastic waste \
        nutrients nitrogen phosphorus pesticides health disease diseases control eradication removal rats goats \
        cats weeds endemic endangered threatened extinct rare abundance distribution range corridor corridors \
        connectivity landscape landscapes mosaic buffer zone zones hectares kilometres years year season \
        seasons annual long term short pilot scale scaling replication rural urban city cities green \
        infrastructure parks gardens botanical zoo collection collections herbarium specimens taxonomy \
        identification inventory baseline trends changes increase decrease loss gain recovery regeneration \
        natural assisted planted enrichment degraded degradation deforestation logging charcoal fuelwood \
        cookstoves energy solar supply sanitation quality clean safe food security nutrition harvest harvesting \
        wild medicinal honey rattan bamboo timber products handicrafts
        """

    static let english: Vocabulary = {
        let real = Set(split(englishFunction) + split(englishContent))
        let synthesized = synthesize(
            count: 2_000, seed: 0xE6,
            onsets: ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "cr", "dr", "gr", "pr", "st", "tr", "ch", "sh", "th", "pl", "bl", "fl", "sl"],
            vowels: ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"],
            codas: ["", "", "n", "r", "s", "l", "t", "m", "nd", "st", "ng", "x"],
            syllables: 2...3, avoiding: real)
        return Vocabulary(
            language: "en", function: englishFunction, content: englishContent, synthesized: synthesized,
            collocations: [
                "invasive species", "seed bank", "coral reef", "mangrove restoration", "citizen science",
                "protected areas", "traditional knowledge", "climate change", "remote sensing", "camera traps",
                "water quality", "food security", "capacity building", "natural regeneration", "community forest",
                "marine protected area",
            ])
    }()

    // MARK: - French

    static let frenchFunction = """
        de la le les des et à en du un une pour dans sur par avec est sont qui que au aux plus ce cette ces \
        son sa ses leur leurs ont été entre ainsi comme mais ou
        """

    static let frenchContent = """
        forêt forêts eau espèces biodiversité restauration conservation gestion communauté communautés locales \
        locale agriculteurs paysans semences mangroves zones humides sols pêche pêcheurs récifs coralliens suivi \
        données climat changement projet programme formation technique techniques pratiques agroécologie \
        régénération naturelle assistée bassin versant rivière fleuve lac côte côtière marines marin aires \
        protégées envahissantes pollinisateurs abeilles arbres plantation pépinière pépinières village villages \
        femmes jeunes savoirs traditionnels autochtones peuples sécheresse désertification pâturage élevage \
        cultures récolte revenus marché filière tourisme écotourisme écoles élèves enseignants bénévoles \
        partenaires partenariat financement coûts outils méthode méthodes approche guide plan stratégie \
        évaluation résultats impacts avantages capacités renforcement régional international pays gouvernement \
        ministère agence organisation association coopérative université institut centre laboratoire génétique \
        échantillonnage cartographie télédétection satellite drone pièges photographiques science participative \
        observations base plateforme application indicateurs cibles cadre convention rapport étude cas leçons \
        réussite défis menaces pollution plastique déchets santé maladies contrôle éradication endémiques \
        menacées rares abondance répartition corridors paysage hectares années saison annuelle pilote échelle \
        rurales urbaines villes jardins botaniques collections inventaire tendances perte reprise dégradées \
        dégradation déforestation charbon bois foyers améliorés énergie solaire qualité sécurité alimentaire \
        sauvages médicinales miel bambou produits l'eau d'eau l'agriculture l'élevage d'arbres l'environnement \
        l'érosion l'océan
        """

    static let french: Vocabulary = {
        let real = Set(split(frenchFunction) + split(frenchContent))
        let synthesized = synthesize(
            count: 800, seed: 0xF4,
            onsets: ["b", "c", "d", "f", "g", "j", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "gr", "pr", "tr", "br", "pl"],
            vowels: ["a", "e", "i", "o", "u", "é", "è", "ou", "ai", "eau", "on", "an"],
            codas: ["", "", "", "r", "s", "l", "t", "n"],
            syllables: 2...3, suffixes: ["", "", "e", "es", "tion", "ment", "ier"], avoiding: real)
        return Vocabulary(language: "fr", function: frenchFunction, content: frenchContent, synthesized: synthesized)
    }()

    // MARK: - Spanish

    static let spanishFunction = """
        de la el los las y en a del para con por que se un una es son al su sus más como entre también o pero
        """

    static let spanishContent = """
        bosque bosques agua especies biodiversidad restauración conservación gestión comunidad comunidades \
        locales local agricultores campesinos semillas manglares humedales suelos pesca pescadores arrecifes \
        coral monitoreo datos clima cambio proyecto programa capacitación técnica técnicas prácticas agroecología \
        regeneración natural asistida cuenca río lago costa costera marina marinas áreas protegidas invasoras \
        polinizadores abejas árboles plantación vivero viveros aldea pueblos mujeres jóvenes conocimientos \
        tradicionales indígenas sequía desertificación pastoreo ganadería cultivos cosecha ingresos mercado \
        cadena turismo ecoturismo escuelas estudiantes maestros voluntarios socios alianza financiamiento costos \
        herramientas método métodos enfoque guía plan estrategia evaluación resultados impactos beneficios \
        capacidades fortalecimiento regional internacional país países gobierno ministerio agencia organización \
        asociación cooperativa universidad instituto centro laboratorio genética muestreo mapeo teledetección \
        satélite dron cámaras trampa ciencia ciudadana observaciones base plataforma aplicación indicadores metas \
        marco convenio informe estudio caso lecciones éxito desafíos amenazas contaminación plástico residuos \
        salud enfermedades control erradicación endémicas amenazadas raras abundancia distribución corredores \
        paisaje hectáreas años temporada anual piloto escala rurales urbanas ciudades jardines botánicos \
        colecciones inventario tendencias pérdida recuperación degradadas degradación deforestación carbón leña \
        estufas mejoradas energía solar calidad seguridad alimentaria silvestres medicinales miel bambú productos \
        páramo selva montaña
        """

    static let spanish: Vocabulary = {
        let real = Set(split(spanishFunction) + split(spanishContent))
        let synthesized = synthesize(
            count: 800, seed: 0xE5,
            onsets: ["b", "c", "d", "f", "g", "j", "l", "m", "n", "ñ", "p", "r", "s", "t", "v", "ch", "ll", "gr", "pr", "tr"],
            vowels: ["a", "e", "i", "o", "u", "á", "é", "í", "ó", "ia", "ue"],
            codas: ["", "", "", "r", "s", "l", "n"],
            syllables: 2...3, suffixes: ["", "", "o", "a", "os", "as", "ción", "dad"], avoiding: real)
        return Vocabulary(language: "es", function: spanishFunction, content: spanishContent, synthesized: synthesized)
    }()

    // MARK: - Russian

    static let russianFunction = """
        и в на с по для не что из к о от как это при а также или до
        """

    static let russianContent = """
        лес леса лесов лесных вода воды водных виды видов биоразнообразие биоразнообразия восстановление \
        сохранение сохранения управление сообщество сообщества местные местных фермеры семена мангровые \
        водно-болотные угодья почвы почв рыболовство рыбаки рифы коралловые мониторинг данные данных климат \
        климата изменение изменения проект проекта программа обучение технология технологии практики \
        агроэкология естественное возобновление бассейн река реки озеро озера побережье прибрежные морские особо \
        охраняемые природные территории инвазивные опылители пчёлы деревья деревьев посадка питомник деревня \
        деревни женщины молодёжь знания традиционные коренные народы засуха опустынивание выпас животноводство \
        культуры урожай доходы рынок туризм экотуризм школы учащиеся учителя волонтёры партнёры партнёрство \
        финансирование затраты инструменты метод методы подход руководство план стратегия оценка результаты \
        воздействие выгоды потенциал региональный международный страна страны правительство министерство \
        агентство организация ассоциация кооператив университет институт центр лаборатория генетика отбор проб \
        картирование дистанционное зондирование спутник беспилотник фотоловушки гражданская наука наблюдения \
        база платформа приложение показатели цели рамочная конвенция доклад исследование уроки успех вызовы \
        угрозы загрязнение пластик отходы здоровье болезни контроль эндемичные редкие численность \
        распространение коридоры ландшафт гектаров лет сезон пилотный масштаб сельские городские города сады \
        ботанические коллекции инвентаризация тенденции потеря деградированные деградация вырубка древесина \
        энергия солнечная качество продовольственная безопасность дикие лекарственные мёд продукты пожары \
        пожаров степи тайга тундра заповедник заповедники
        """

    static let russian: Vocabulary = {
        let real = Set(split(russianFunction) + split(russianContent))
        let synthesized = synthesize(
            count: 800, seed: 0x20,
            onsets: ["б", "в", "г", "д", "ж", "з", "к", "л", "м", "н", "п", "р", "с", "т", "ф", "х", "ц", "ч", "ш", "ст", "пр", "кр", "тр", "бр"],
            vowels: ["а", "е", "и", "о", "у", "ы", "я", "ю"],
            codas: ["", "", "н", "р", "с", "л", "т", "й", "к"],
            syllables: 2...3, suffixes: ["", "ов", "ами", "ий", "ая", "ое", "ые", "ость"], avoiding: real)
        return Vocabulary(language: "ru", function: russianFunction, content: russianContent, synthesized: synthesized)
    }()

    // MARK: - Arabic

    static let arabicFunction = """
        في من على إلى و أن عن مع هذا هذه التي الذي كما بين أو ثم قد لا
        """

    static let arabicContent = """
        الغابات غابات المياه مياه الأنواع أنواع التنوع البيولوجي استعادة حفظ صون إدارة المجتمع المجتمعات المحلية \
        المزارعين البذور بذور المنغروف الأراضي الرطبة التربة الصيد الصيادين الشعاب المرجانية رصد البيانات المناخ \
        تغير مشروع برنامج تدريب التقنية تقنيات الممارسات الزراعة الإيكولوجية التجدد الطبيعي حوض النهر البحيرة \
        الساحل الساحلية البحرية المحميات الغازية الملقحات النحل الأشجار أشجار زراعة مشتل القرية القرى النساء \
        الشباب المعارف التقليدية الشعوب الأصلية الجفاف التصحر الرعي الثروة الحيوانية المحاصيل الحصاد الدخل السوق \
        السياحة البيئية المدارس الطلاب المعلمين المتطوعين الشركاء الشراكة التمويل التكاليف الأدوات طريقة أساليب \
        نهج دليل خطة استراتيجية تقييم النتائج الآثار الفوائد القدرات بناء الإقليمي الدولي البلد البلدان الحكومة \
        الوزارة الوكالة المنظمة الجمعية التعاونية الجامعة المعهد المركز المختبر الوراثية أخذ العينات رسم الخرائط \
        الاستشعار بعد الأقمار الصناعية الطائرات المسيرة الكاميرات علم المواطن الملاحظات قاعدة منصة تطبيق المؤشرات \
        الأهداف الإطار الاتفاقية التقرير دراسة حالة الدروس النجاح التحديات التهديدات التلوث البلاستيك النفايات \
        الصحة الأمراض المكافحة المستوطنة المهددة النادرة الوفرة التوزيع الممرات المناظر هكتار سنوات الموسم \
        السنوي تجريبي الريفية الحضرية المدن الحدائق النباتية المجموعات الحصر الاتجاهات فقدان المتدهورة التدهور \
        إزالة الفحم الحطب الطاقة الشمسية جودة الأمن الغذائي البرية الطبية العسل المنتجات الواحات النخيل الكثبان \
        الرملية
        """

    static let arabic: Vocabulary = {
        let real = Set(split(arabicFunction) + split(arabicContent))
        let synthesized = synthesize(
            count: 800, seed: 0xA4,
            onsets: ["ب", "ت", "ج", "ح", "د", "ر", "س", "ش", "ص", "ع", "ف", "ق", "ك", "ل", "م", "ن", "ه", "و", "ي"],
            vowels: ["", "", "ا", "و", "ي"],
            codas: ["", "", "ر", "ن", "ل", "م"],
            syllables: 2...3, prefixes: ["", "", "ال"], suffixes: ["", "", "ة", "ات", "ين"], avoiding: real)
        return Vocabulary(language: "ar", function: arabicFunction, content: arabicContent, synthesized: synthesized)
    }()

    // MARK: - Chinese

    /// Function characters first (the analyzer drops them when isolated), then common
    /// characters roughly by frequency, with the domain's characters mixed in.
    static let chineseFunction = "的 了 和 在 是 与 及 或 等 也 都 而 之 其 于 为"

    static let chineseContent = """
        一 不 有 人 这 中 大 上 个 国 以 要 他 时 来 用 们 生 到 作 地 出 就 分 对 成 会 可 主 发 年 动 同 工 能 \
        下 过 子 说 产 种 面 方 后 多 定 行 学 法 所 民 得 经 十 三 进 着 部 度 家 电 力 里 如 水 化 高 自 二 理 \
        起 小 物 现 实 加 量 两 体 制 机 当 使 点 从 业 本 去 把 性 好 应 开 它 合 还 因 由 些 然 前 外 天 政 四 \
        日 那 社 义 事 平 形 相 全 表 间 样 关 各 重 新 线 内 数 正 心 反 明 看 原 又 利 比 但 质 气 第 向 道 命 \
        此 变 条 只 没 结 解 问 意 建 月 公 无 系 很 情 者 最 立 代 想 已 通 并 提 直 题 程 展 五 果 料 象 员 革 \
        位 入 常 文 总 次 品 式 活 设 管 特 件 长 求 老 头 基 资 边 流 路 级 少 图 山 统 接 知 较 将 组 见 计 别 \
        手 角 期 根 论 运 农 指 几 九 区 强 放 决 西 被 干 做 必 先 回 则 任 取 据 处 队 南 给 色 光 门 即 保 治 \
        北 造 百 规 热 领 七 海 口 东 导 器 压 志 世 金 增 争 济 阶 油 思 术 极 交 受 联 什 认 六 共 权 收 证 改 \
        清 己 美 再 采 转 更 单 风 切 打 白 教 速 花 带 安 场 身 车 例 真 务 具 万 每 目 至 达 走 积 示 议 声 报 \
        完 类 八 离 华 名 确 才 科 张 信 马 节 话 米 整 空 元 况 今 集 温 传 土 许 步 群 广 石 记 需 段 研 界 拉 \
        林 律 叫 且 究 观 越 织 装 影 算 低 持 音 众 书 布 复 容 儿 须 际 商 非 验 连 断 深 难 近 矿 千 周 委 素 \
        技 备 半 办 青 省 列 习 响 约 支 般 史 感 劳 便 团 往 历 市 克 何 除 消 构 府 称 太 准 精 值 号 率 族 维 \
        划 选 标 写 存 候 亲 快 效 院 查 江 型 眼 王 按 格 养 易 置 派 层 片 始 却 专 状 育 厂 识 适 属 圆 包 火 \
        住 调 满 县 局 照 参 红 细 引 听 该 铁 价 严 树 森 湿 珊 瑚 礁 鱼 鸟 草 河 湖 岛 沙 漠 护 恢 测 境 态 濒 \
        危 蜂 种 籽 苗 圃 耕 牧 灌 溉 旱 涝 污 染 塑 垃 圾 碳 排 候 滩 湾 溪 泉 蛙 虫 兽 禽 藻 菌 药 茶 竹 蜜 粮 \
        稻 麦 豆 薯 果 蔬 菜 园 寨 村 镇 乡 户 妇 女 童 授 训 辅 援 助 资 款 贷 险 灾 害 防 控 救 援
        """

    static let chinese = Vocabulary(
        language: "zh", function: chineseFunction, content: chineseContent, synthesized: [], isLogographic: true,
        exponent: 0.8)  // flatter than words: 的 is ~4% of Chinese text, not 14%
}
